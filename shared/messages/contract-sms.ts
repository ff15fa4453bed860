/**
 * The SMS a contract event calls for (N1), as an outbox row for the caller's commit, with its
 * parameters built only by the builders of ./sms-templates.ts: the other party's name and the
 * title shortened to Tencent's 6-character variables, a reason as its picked label or "详见小程序",
 * never a path or typed text (the constant, ICP-filed open link is part of the registered text).
 * Imports domain, rules, ports and this module's files only.
 */
import { otherPartyIndex, partyAt, type Contract } from '../domain/contract';
import type { SmsTemplate } from '../ports/sms';
import type { Deps } from '../ports/operation';
import { chinaDay } from '../rules/dates';
import type { CasWrite } from '../ports/store';
import { enqueueAndDeliver, smsRow, subscribeRow, type OutboxRow } from './outbox';
import { ASK_LABELS } from './sms-templates';
import { subscribeMessageFor, type SubscribeSlot } from './subscribe-templates';
import { SUBSCRIPTIONS_COLLECTION, subscriptionId, subscriptionWrite, takeCredit, type SubscriptionDoc } from './subscriptions';
import { ANSWER_LABELS, smsDate, smsName, smsParams, smsReason, smsTitle, type ReasonAction } from './sms-templates';

/** What the event adds to the contract's own facts; anything typed is reduced by the builders. */
export interface SmsFacts {
  /** The party whose act this reports: with more than two parties, what one of them did (拒签…) names them. */
  actor?: number | null;
  /** The typed or picked reason (拒签, 拒绝领取, 解除/结清 requests): named only when picked. */
  reason?: string;
  /** How a request was answered. */
  answer?: keyof typeof ANSWER_LABELS;
  /** 催办: the label of what the recipient is asked to do (ASK_LABELS). */
  ask?: string;
  /** A China day 'YYYY-MM-DD' (expiry, repayment due). */
  day?: string;
}

/**
 * The name the recipient reads: in a two-party contract the other party; with more parties, a
 * signer reads the initiator's name (whose document it is) and the initiator reads 对方.
 */
const otherNameFor = (contract: Contract, to: number, actor: number | null = null): string | null => {
  const other = contract.parties.length === 2 ? otherPartyIndex(contract, to) : actor !== null && actor !== to ? actor : to === 0 ? null : 0;
  return other === null ? null : partyAt(contract, other).details?.name ?? null;
};

const REASON_ACTION: Partial<Record<SmsTemplate, ReasonAction>> = {
  rejected: 'reject', receipt_refused: 'receipt_refuse', rescind_requested: 'rescind_request', settle_requested: 'settle_request',
};

/** Templates whose {1} is who acted ("{1}拒绝签署…"): with more than two parties that is the actor, not the initiator. */
const ACTOR_NAMED: ReadonlySet<SmsTemplate> = new Set(['rejected'] as SmsTemplate[]);

/** The named values of `sms` for the party at `to`, before smsParams orders and checks them. */
export const smsValues = (deps: Deps, contract: Contract, to: number, sms: SmsTemplate, facts: SmsFacts): Record<string, string> => {
  const title = smsTitle(contract.title);
  const from = smsName(otherNameFor(contract, to, ACTOR_NAMED.has(sms) ? facts.actor ?? null : null));
  const reasonAction = REASON_ACTION[sms];
  switch (sms) {
    case 'expired':
    case 'repayment_due':
      return { title, day: smsDate(facts.day ?? chinaDay(deps.clock.now())) };
    case 'report_sent':
    case 'ledger_cleared':
    case 'invalidated':
      return { title };
    case 'urge':
      return { from, title, ask: facts.ask ?? '签署' };
    case 'rescind_answered':
    case 'settle_answered':
      return { from, title, answer: ANSWER_LABELS[facts.answer ?? 'confirm'] };
    case 'verification_code':
      throw new Error('verification codes are not contract messages');
    default:
      return reasonAction ? { from, title, reason: smsReason(facts.reason, reasonAction) } : { from, title };
  }
};

/**
 * The outbox row (M1) of `sms` to the party at index `to`, for the caller's commit; null for a
 * 对方填 party without details (reached by the share link only).
 */
export const contractSmsRow = (deps: Deps, contract: Contract, to: number, sms: SmsTemplate, facts: SmsFacts = {}): OutboxRow | null => {
  const phone = partyAt(contract, to).details?.phone;
  if (!phone) return null;
  return smsRow(deps, contract._id, { phone, template: sms, params: smsParams(sms, smsValues(deps, contract, to, sms, facts)) });
};

/**
 * For callers with no commit of their own to put it in (a timer's reminder, a report's notice):
 * the row is stored, then tried at once. True when it went out now; otherwise the outbox retries it
 * (or shows it failed) — never an error for the caller.
 */
export const sendSms = async (deps: Deps, contract: Contract, to: number, sms: SmsTemplate, facts: SmsFacts = {}): Promise<boolean> => {
  const row = contractSmsRow(deps, contract, to, sms, facts);
  if (!row) return false;
  try {
    const [after] = await enqueueAndDeliver(deps, [row]);
    return after?.status === 'sent';
  } catch (e) {
    deps.log.warn({ contractId: contract._id, template: sms, err: e }, 'sms not queued');
    return false;
  }
};

const askKey = (label: string | undefined): keyof typeof ASK_LABELS | undefined =>
  (Object.entries(ASK_LABELS) as Array<[keyof typeof ASK_LABELS, string]>).find(([, v]) => v === label)?.[0];

/**
 * N1's channel order for the messages of one commit: to a party bound to a WeChat user who
 * accepted the event's subscription template (a credit is left, notify-subscribe), a
 * subscription message — its credit taken in this very commit, the SMS kept as its fallback —
 * else the SMS. Answers the rows and the subscription documents' writes for the commit.
 */
export const contractMessageRows = async (
  deps: Deps,
  contract: Contract,
  notify: ReadonlyArray<{ party: number; sms: SmsTemplate }>,
  facts: SmsFacts,
): Promise<{ rows: OutboxRow[]; writes: CasWrite[] }> => {
  const rows: OutboxRow[] = [];
  const docs = new Map<string, { read: SubscriptionDoc | null; next: SubscriptionDoc | null }>();
  for (const n of notify) {
    const sms = contractSmsRow(deps, contract, n.party, n.sms, facts);
    const openid = partyAt(contract, n.party).openid;
    const msg = openid ? subscribeMessageFor(n.sms, {
      title: contract.title, otherName: otherNameFor(contract, n.party), at: deps.clock.now(),
      ...(askKey(facts.ask) ? { ask: askKey(facts.ask)! } : {}), ...(facts.answer ? { answer: facts.answer } : {}), ...(facts.day ? { day: facts.day } : {}),
    }) : null;
    const templateId = msg ? deps.config.subscribeTemplates[msg.slot as SubscribeSlot] : undefined;
    if (openid && msg && templateId) {
      if (!docs.has(openid)) {
        const read = await deps.store.get<SubscriptionDoc>(SUBSCRIPTIONS_COLLECTION, subscriptionId(openid));
        docs.set(openid, { read, next: read });
      }
      const entry = docs.get(openid)!;
      const taken = takeCredit(entry.next, templateId, deps.clock.now());
      if (taken.ok) {
        entry.next = taken.nextDoc;
        rows.push(subscribeRow(deps, contract._id, { toOpenid: openid, templateId, page: `pages/contract/index?id=${contract._id}`, data: msg.data }, sms?.sms ?? null));
        continue;
      }
    }
    if (sms) rows.push(sms);
  }
  const writes = [...docs.values()].filter((d) => d.next !== d.read && d.next).map((d) => subscriptionWrite(d.read, d.next!));
  return { rows, writes };
};
