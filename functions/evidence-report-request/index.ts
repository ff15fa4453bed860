import schema from '../../schemas/functions/evidence-report-request.json';
import { handle } from '../../shared/runtime/handler';
import { evidenceReportRequest } from '../../shared/operations/evidence-report-request';

export const main = handle('evidence-report-request', schema, evidenceReportRequest);
