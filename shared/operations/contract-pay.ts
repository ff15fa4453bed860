import { AppError } from '../errors';
import type { Contract } from '../domain/contract';
import type { ContractPayInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../runtime/operation';
import { loadAsParty } from './kit/contracts';
import { confirmPayment, ORDERS, type Order } from './kit/payment-gate';
import { preview, runTransition } from './kit/transition';
import { contractView } from './kit/views';

/**
 * Pays the initiation fee and initiates (I6). The price is the server's (F1): the amount stored
 * on the draft. A price of 0 passes the gate with no order. The order is created only when the
 * contract could be initiated once paid, so nobody pays for a contract the table would refuse.
 */
export const contractPay: Operation<ContractPayInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const { contract, role } = await loadAsParty(deps, input.contractId, openid);
  if (role !== 'initiator') throw new AppError('FORBIDDEN', '仅发起人可支付');
  const now = deps.clock.now().toISOString();
  if (contract.payment.status !== 'unpaid') throw new AppError('INVALID_TRANSITION', '合同已支付');
  preview({ ...contract, payment: { ...contract.payment, status: 'paid' } }, 'initiate', 'system', now);

  const amountFen = contract.payment.amountFen;
  let after: Contract;
  let requestPayment: Record<string, string> | undefined;
  let orderId: string | null = null;
  if (amountFen === 0) {
    after = (
      await runTransition(deps, {
        contractId: contract._id, action: 'initiate', by: 'system',
        prepare: (c) => ({ ...c, payment: { ...c.payment, status: 'waived', paidAt: now } }),
        preEvents: [{ type: 'payment_confirmed', actor: { role: 'system', openid: null }, data: { amountFen: 0, waived: true } }],
      })
    ).contract;
  } else {
    orderId = `P${deps.ids.token(15).replace(/[^A-Za-z0-9]/g, '').slice(0, 20)}${Date.now().toString(36)}`.slice(0, 32);
    const order: Order = { _id: orderId, contractId: contract._id, openid, purpose: 'initiation', amountFen, status: 'created', transactionId: null, createdAt: now, paidAt: null };
    await deps.store.insert(ORDERS, order);
    let created;
    try {
      created = await deps.payments.createOrder({ orderId, description: `电子签-${contract.title}`, amountFen, payerOpenid: openid });
    } catch (e) {
      deps.log.warn({ err: e, orderId }, 'payment provider refused the order');
      throw new AppError('PROVIDER_ERROR', '支付服务暂时不可用，请稍后再试');
    }
    requestPayment = created.requestPayment;
    after = created.paidImmediately ? await confirmPayment(deps, orderId, created.transactionId ?? orderId, amountFen) : contract;
  }
  return {
    orderId,
    amountFen,
    paid: after.payment.status !== 'unpaid',
    ...(requestPayment ? { requestPayment } : {}),
    contract: contractView(after, 'initiator', now),
  };
};
