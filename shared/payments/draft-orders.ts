/**
 * A draft that ends without passing the payment gate — revoked (C3) or invalidated (A3); the
 * lifecycle table's `closeOpenOrder` effect, which contracts/transition.ts runs after the commit with
 * the `closeDraftOrder` the operation passes (contract-revoke; the rename of A3 when it comes) — must
 * leave nothing payable (F2): its open initiation order is closed at WeChat Pay (《关闭订单》) and
 * here, and the coupon held for it given back (payments/checkout.ts withdrawOrder). When WeChat Pay
 * answers that the order was paid meanwhile, the payment is settled at once: not applied (the
 * contract has moved on) and recorded for refund by hand (payments/payment-gate.ts).
 *
 * The move is already committed, so nothing here may fail it: when WeChat Pay cannot be reached,
 * the order stays `created` and the reconcile timer (timer-payment-reconcile) closes it — or
 * settles it for refund if it was paid — once it is past its reconcile delay.
 */
import { isAppError } from '../errors';
import type { Contract } from '../domain/contract';
import type { Deps } from '../ports/operation';
import { withdrawOrder } from './checkout';
import { findOpenOrder, openKey, type Order } from './orders';

export type DraftOrderOutcome = 'none' | 'closed' | 'paid' | 'left_to_reconcile';

/** Withdraws one order of a draft that can no longer be initiated; never throws. */
export const withdrawDraftOrder = async (deps: Deps, contractId: string, order: Order): Promise<DraftOrderOutcome> => {
  try {
    return await withdrawOrder(deps, order, 'abandoned');
  } catch (e) {
    const ref = { orderId: order._id, contractId };
    if (isAppError(e)) deps.log.warn({ ...ref, code: e.code }, 'order of an ended draft not closed now: the reconcile timer will close it');
    else deps.log.error({ ...ref, err: e }, 'order of an ended draft not closed now: the reconcile timer will close it');
    return 'left_to_reconcile';
  }
};

/** The `closeOpenOrder` effect: the contract's open initiation order, if any, withdrawn. */
export const closeDraftOrder = async (deps: Deps, contract: Contract): Promise<DraftOrderOutcome> => {
  const open = await findOpenOrder(deps, openKey('initiation', contract._id));
  return open ? withdrawDraftOrder(deps, contract._id, open) : 'none';
};
