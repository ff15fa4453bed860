import schema from '../../schemas/functions/legal-service.json';
import { handle } from '../../shared/runtime/handler';
import { legalService } from '../../shared/operations/legal-service';

export const main = handle('legal-service', schema, legalService);
