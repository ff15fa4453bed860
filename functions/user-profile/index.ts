import schema from '../../schemas/functions/user-profile.json';
import { handle } from '../../shared/runtime/handler';
import { userProfile } from '../../shared/operations/user-profile';

export const main = handle('user-profile', schema, userProfile);
