/**
 * L3 催告: the lender sends a formal demand for what is overdue today. Its text is made from the
 * ledger (nothing typed), kept as an event and a record, shown to the borrower in the mini-program,
 * and announced by SMS (which, by Tencent's rules, carries no amount). Once the SMS is delivered
 * the demand interrupts the limitation period (Civil Code art. 195) — the ledger shows it.
 * Rate-limited like every message (config/messages.json rateLimits.demand), in the same commit.
 */
import { AppError } from '../errors';
import { partyAt } from '../domain/contract';
import type { DemandSendInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../ports/operation';
import { chinaDay } from '../rules/dates';
import { formatYuan } from '../rules/money';
import type { Ledger } from '../rules/ledger';
import { loadContract } from '../contracts/repository';
import { recordChange } from '../contracts/record-change';
import { contractSmsRow } from '../messages/contract-sms';
import { deliverNow } from '../messages/outbox';
import { limitWrites } from '../messages/limits';
import { borrowerIndex, DEMANDS, ledgerOf, lenderIndex, loadLedgerParty, nameOf, type DemandRecord } from '../repayments/records';
import { actorOf } from '../repayments/acts';
import { ledgerView } from '../repayments/views';
import type { Contract } from '../domain/contract';

/** The demand as the borrower reads it: who, which IOU, what is overdue as of today, and why it matters. */
const demandText = (c: Contract, ledger: Ledger, overduePrincipal: number): string => {
  const f = c.form as { amountFen: number; borrowDate: string };
  const interest = ledger.interestOutstandingFen + ledger.overdueInterestOutstandingFen;
  return [
    '催告函',
    `${nameOf(c, borrowerIndex(c))}：`,
    `您于${f.borrowDate}向${nameOf(c, lenderIndex(c))}借款人民币${formatYuan(f.amountFen)}元（借条编号 ${c.contractNo}）。截至${ledger.asOf}，已到期未还本金${formatYuan(overduePrincipal)}元，应付利息（含逾期利息）${formatYuan(interest)}元，合计${formatYuan(overduePrincipal + interest)}元。`,
    '请您尽快向出借人偿还上述款项。本通知依据《中华人民共和国民法典》第一百九十五条发出，诉讼时效自本通知送达之日起重新计算。',
    `出借人：${nameOf(c, lenderIndex(c))}　${ledger.asOf}`,
  ].join('\n');
};

export const demandSend: Operation<DemandSendInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const { contract, index, records } = await loadLedgerParty(deps, input.contractId, openid, 'lender');
  const now = deps.clock.now();
  const today = chinaDay(now);
  const ledger = ledgerOf(deps, contract, records, today);
  const overduePrincipal = ledger.instalments.filter((i) => i.status === 'overdue').reduce((n, i) => n + i.principalOutstandingFen, 0);
  if (overduePrincipal === 0) throw new AppError('NOTHING_OVERDUE');
  const borrower = borrowerIndex(contract);
  const phone = partyAt(contract, borrower).details?.phone;
  const text = demandText(contract, ledger, overduePrincipal);
  const overdueFen = overduePrincipal + ledger.interestOutstandingFen + ledger.overdueInterestOutstandingFen;
  const id = deps.ids.id('dm');
  await recordChange(
    deps,
    () => loadContract(deps, contract._id),
    (c) => {
      const sms = contractSmsRow(deps, c, borrower, 'demand_notice');
      const demand: DemandRecord = { _id: id, contractId: c._id, text, overdueFen, sentOn: today, createdAt: now.toISOString(), messageId: sms?._id ?? null };
      return {
        contract: c,
        events: [{ type: 'demand_sent', actor: actorOf(c, index), data: { demandId: id, overdueFen, text, messageId: demand.messageId } }],
        appends: [{ collection: DEMANDS, docs: [demand] }],
        messages: sms ? [sms] : [],
      };
    },
    async () => ({ writes: await limitWrites(deps, 'demand', { contractId: contract._id, caller: openid, ...(phone ? { destination: phone } : {}) }), appends: [] }),
    deliverNow,
  );
  const after = await loadLedgerParty(deps, contract._id, openid, 'lender');
  const view = ledgerView(after.contract, ledgerOf(deps, after.contract, after.records, today), after.records);
  return { demand: view.demands.find((d) => d.demandId === id), ledger: view };
};
