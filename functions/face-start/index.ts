import schema from '../../schemas/functions/face-start.json';
import { handle } from '../../shared/runtime/handler';
import { faceStart } from '../../shared/operations/face-start';

export const main = handle('face-start', schema, faceStart);
