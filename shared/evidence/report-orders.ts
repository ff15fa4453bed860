/**
 * Evidence-report orders (C9, F3), the light half: what may be reported, whom an order is for,
 * which paid report a party is still owed. Settling an order and fee-quote need these, and must not
 * bring the PDF code: only the functions that deliver a report import evidence/lazy-delivery.ts.
 */
import { SIGNED_STATES, type Contract, type PartySide } from '../domain/contract';
import type { Deps } from '../ports/operation';
import { loadContract } from '../contracts/repository';
import { ORDERS, type Order } from '../payments/orders';

/** Both signed, in every state a signed contract can reach. */

export const reportable = (c: Contract): boolean => SIGNED_STATES.includes(c.state) && c.document !== null && c.document !== undefined;

/**
 * One open report order per contract and party side (the openFor subject). Two-party contracts
 * only so far: the signers of an own file share the side `signer` (the own-files issue keys them apart).
 */
export const reportSubject = (contractId: string, role: PartySide): string => `${contractId}:${role}`;

/** a***@example.com — what logs and the SMS may show of an address. */
export const maskEmail = (email: string): string => email.replace(/^(.).*(@.*)$/, '$1***$2');

/**
 * The settlement's "effect" of a paid report order: whether the payment can do what it was for.
 * The report itself is produced after the order is marked paid (by whoever claims it first).
 */
export const reportPayable = async (deps: Deps, order: Order): Promise<boolean> => {
  if (!order.contractId || !order.report) return false;
  const c = await loadContract(deps, order.contractId);
  return c !== null && reportable(c);
};

/** A report this party paid for that was not sent yet (its email failed, or is being sent). */
export const owedReport = async (deps: Deps, contractId: string, role: PartySide): Promise<Order | null> => {
  const orders = await deps.store.find<Order>(ORDERS, { contractId }, { orderBy: [['createdAt', 'asc']], limit: 100 });
  return orders.find((o) => o.purpose === 'evidence_report' && o.status === 'paid' && o.applied === true && o.report?.role === role && o.report.status !== 'sent') ?? null;
};
