import schema from '../../schemas/functions/signature-upload.json';
import { handle } from '../../shared/runtime/handler';
import { signatureUpload } from '../../shared/operations/signature-upload';

export const main = handle('signature-upload', schema, signatureUpload);
