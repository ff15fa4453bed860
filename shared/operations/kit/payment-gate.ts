/**
 * The payment gate (I6, F2): a paid order initiates its contract exactly once. The contract's own
 * compare-and-set is what makes it exactly-once — its payment status moves from unpaid to paid in
 * the same commit as the initiation — so a notification delivered twice finds the contract paid
 * and changes nothing; the order document is marked after, and re-marking it is harmless.
 */
import { AppError } from '../../errors';
import type { Contract } from '../../domain/contract';
import type { Doc } from '../../ports/store';
import { collectionName } from '../../store/collections';
import type { Deps } from '../../runtime/container';
import { loadContract } from './contracts';
import { runTransition } from './transition';

export const ORDERS = collectionName('orders');

export interface Order extends Doc {
  _id: string; // out_trade_no, ≤ 32 chars
  contractId: string;
  openid: string;
  purpose: 'initiation';
  amountFen: number;
  status: 'created' | 'paid' | 'closed';
  transactionId: string | null;
  createdAt: string;
  paidAt: string | null;
}

export const confirmPayment = async (deps: Deps, orderId: string, transactionId: string, amountFen: number): Promise<Contract> => {
  const order = await deps.store.get<Order>(ORDERS, orderId);
  if (!order) throw new AppError('NOT_FOUND', '订单不存在');
  if (order.amountFen !== amountFen) throw new AppError('VALIDATION_FAILED', '支付金额与订单不一致', { reason: 'amount_mismatch' });
  const now = deps.clock.now().toISOString();
  let contract = await loadContract(deps, order.contractId);
  if (!contract) throw new AppError('NOT_FOUND');
  const alreadyPaid = contract.payment.status === 'paid' && contract.payment.orderId === orderId;
  if (!alreadyPaid) {
    contract = (
      await runTransition(deps, {
        contractId: order.contractId,
        action: 'initiate',
        by: 'system',
        prepare: (c) => {
          // Only an unpaid draft can take this payment; a second delivery re-reads a paid contract and is refused.
          if (c.payment.status !== 'unpaid') throw new AppError('INVALID_TRANSITION', '合同已支付');
          return { ...c, payment: { status: 'paid', amountFen, orderId, paidAt: now } };
        },
        preEvents: [{ type: 'payment_confirmed', actor: { role: 'system', openid: null }, data: { orderId, amountFen, transactionId } }],
      })
    ).contract;
  }
  if (order.status !== 'paid') {
    await deps.store.compareAndSet(ORDERS, { ...order, status: 'paid', transactionId, paidAt: now }, order.version ?? 0);
  }
  return contract;
};
