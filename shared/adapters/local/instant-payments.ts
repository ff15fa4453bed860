/**
 * Until the payments issue brings the WeChat Pay simulator, the local payment port settles every
 * order at once (the foundation's gate still runs: the contract waits for "paid").
 */
import type { CreateOrderInput, CreatedOrder, Payments } from '../../ports/payments';

export class InstantPayments implements Payments {
  async createOrder(input: CreateOrderInput): Promise<CreatedOrder> {
    return { paidImmediately: true, transactionId: `local-${input.orderId}` };
  }
}
