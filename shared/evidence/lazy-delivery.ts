/**
 * The door to a paid evidence report's delivery (evidence/report-delivery.ts) for the payment webhook and
 * the reconcile timer: the PDF code behind it is required on the first report they deliver, so a
 * notification for an initiation or a card never loads pdf-lib. Import this only from functions
 * that may deliver a report — the build counts every module a function reaches.
 */
import type { Deps } from '../ports/operation';
import type { Order } from '../payments/orders';
import type { DeliveryMode, DeliveryOutcome } from './report-delivery';

export const deliverReport = (deps: Deps, order: string | Order, mode: DeliveryMode, email?: string): Promise<DeliveryOutcome> =>
  (require('./report-delivery') as typeof import('./report-delivery')).deliverReport(deps, order, mode, email);
