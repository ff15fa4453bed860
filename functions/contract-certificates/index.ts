import schema from '../../schemas/functions/contract-certificates.json';
import { handle } from '../../shared/runtime/handler';
import { contractCertificates } from '../../shared/operations/contract-certificates';

export const main = handle('contract-certificates', schema, contractCertificates);
