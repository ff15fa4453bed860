/**
 * SPEC C1–C6, I7, I9, R2, R3, A3: the transition table, walked flow by flow. At every state
 * reached, the set of (caller, action) pairs the machine allows is compared with the list written
 * here from the product guides — so a row added, removed or changed in the table fails a test —
 * and every other pair is refused with its exact code and leaves the contract untouched.
 */
import { ACTIONS, TRANSITIONS, type Action, type Transition } from '../../shared/lifecycle/table';
import { applyDecision, decide, type Decision, type Performer } from '../../shared/lifecycle/machine';
import { AppError } from '../../shared/errors';
import { CONTRACT_SCHEMA_VERSION, type Contract, type ContractState, type Flow, type Party, type PartyStatus } from '../../shared/domain/contract';
import { initialStatuses, signingPositions } from '../../shared/lifecycle/table';

const NOW = '2026-03-01T02:00:00.000Z';
const details = (name: string) => ({ name, idNumber: '110101199001011237', phone: '13800000000' });

const makeContract = (flow: Flow, counterpartyFills: boolean): Contract => {
  const s = initialStatuses(flow, [false, counterpartyFills]);
  const o = signingPositions(flow, 2);
  return {
    _id: 'c1', version: 1, contractNo: 'T1', kind: 'iou', flow, title: 't', state: 'draft', schemaVersion: CONTRACT_SCHEMA_VERSION,
    parties: [
      { side: 'initiator', role: 'a', openid: 'oA', details: details('甲'), filledBy: 'self', status: s[0]!, filledAt: NOW, signature: null, order: o[0]! },
      {
        side: 'counterparty', role: 'b', openid: counterpartyFills ? null : 'oB',
        details: counterpartyFills ? null : details('乙'), filledBy: counterpartyFills ? null : 'initiator',
        status: s[1]!, filledAt: null, signature: null, order: o[1]!,
      },
    ],
    memberOpenids: ['oA'], form: {}, ruleFacts: {}, shareToken: 's', pending: null, reminders: { enabled: false },
    payment: { status: 'unpaid', amountFen: 500, orderId: null, paidAt: null },
    createdAt: NOW, updatedAt: NOW, initiatedAt: null, expiresAt: null, completedAt: null, document: null, eventHead: { seq: 1, hash: 'h' },
  };
};

type Who = 'initiator' | 'counterparty' | 'system';
const INDEX = { initiator: 0, counterparty: 1 } as const;
const callerOf = (who: Who): Performer => (who === 'system' ? { kind: 'system' } : { kind: 'party', index: INDEX[who] });
const WHO: Who[] = ['initiator', 'counterparty', 'system'];

const deepFreeze = <T>(o: T): T => {
  if (o && typeof o === 'object') {
    Object.values(o as object).forEach(deepFreeze);
    Object.freeze(o);
  }
  return o;
};

/** What the operations do besides the machine, enough to walk the flows. */
const act = (c: Contract, who: Who, action: Action, facts = { now: NOW }): Contract => {
  const d = decide(c, action, callerOf(who), facts);
  let next = applyDecision(c, d);
  return withEffects(next, d, action);
};

/** The bookkeeping effects an operation carries out (contracts/transition.ts), as far as the walks need them. */
const withEffects = (after: Contract, d: Decision, action: Action): Contract => {
  let next = after;
  const i = d.actor;
  const setParty = (patch: Partial<Party>) => {
    next = { ...next, parties: next.parties.map((p, j) => (j === i ? { ...p, ...patch } : p)) };
  };
  const has = (name: string) => d.effects.some((e) => 'do' in e && e.do === name);
  if (has('recordFill') && i !== null) setParty({ details: details(`乙${i}`), filledAt: NOW, filledBy: 'self', openid: `o${i}` });
  if (has('recordSignature') && i !== null) setParty({ signature: { type: 'seal', ref: null, faceCheckId: 'f', at: NOW } });
  if (has('startExpiry')) next = { ...next, expiresAt: '2026-03-31T02:00:00.000Z' };
  if (has('openRequest') && i !== null) next = { ...next, pending: { type: action.startsWith('settle') ? 'settle' : 'rescind', by: i, reason: 'r', at: NOW, faceCheckId: 'f' } };
  if (has('closeRequest')) next = { ...next, pending: null };
  return next;
};

/** Every (who, action) pair that is allowed now, as "who:action→state". */
const allowed = (c: Contract, facts = { now: NOW }): string[] => {
  const out: string[] = [];
  for (const who of WHO)
    for (const action of ACTIONS) {
      const frozen = deepFreeze(structuredClone(c));
      const before = JSON.stringify(frozen);
      try {
        out.push(`${who}:${action}→${decide(frozen, action, callerOf(who), facts).to}`);
      } catch (e) {
        expect(e).toBeInstanceOf(AppError);
        expect(['INVALID_TRANSITION', 'PAYMENT_REQUIRED', 'MULTI_PARTY_RESCIND_UNSUPPORTED']).toContain((e as AppError).code);
      }
      expect(JSON.stringify(frozen)).toBe(before); // a refused (or decided) move changes nothing
    }
  return out.sort();
};

const statuses = (c: Contract): PartyStatus[] => c.parties.map((p) => p.status);
const paid = (c: Contract): Contract => ({ ...c, payment: { ...c.payment, status: 'paid' } });
const expect_ = (c: Contract, state: ContractState, st: PartyStatus[], moves: string[]) => {
  expect(c.state).toBe(state);
  expect(statuses(c)).toEqual(st);
  expect(allowed(c)).toEqual([...moves].sort());
};

const AFTER_SIGNING = (extra: string[] = []) => [
  'initiator:rescind_request→rescind_pending', 'counterparty:rescind_request→rescind_pending', ...extra,
];

describe('C1/I7 IOU: the other party fills (对方填), initiator signs first', () => {
  // Each case starts from a fresh contract, replayed up to its step: no case depends on another having run.
  const draft = () => makeContract('iou', true);
  const awaitingFill = () => act(paid(draft()), 'system', 'initiate');
  const filled = () => act(awaitingFill(), 'counterparty', 'fill');
  const initiatorSigned = () => act(filled(), 'initiator', 'sign');
  const signed = () => act(initiatorSigned(), 'counterparty', 'sign');

  test('draft, unpaid: only revoke and invalidate; initiate waits for payment (I6)', () => {
    const c = draft();
    expect_(c, 'draft', ['waiting', 'to_fill'], ['initiator:revoke→revoked', 'system:invalidate→invalidated']);
    expect(() => decide(c, 'initiate', { kind: 'system' }, { now: NOW })).toThrow(expect.objectContaining({ code: 'PAYMENT_REQUIRED' }));
  });
  test('paid → initiate → awaiting_fill', () => {
    const c = act(paid(draft()), 'system', 'initiate');
    expect_(c, 'awaiting_fill', ['waiting', 'to_fill'], [
      'counterparty:fill→awaiting_signatures', 'counterparty:reject→rejected', 'initiator:revoke→revoked', 'system:invalidate→invalidated',
    ]);
  });
  test('P2 the counterparty fills → the initiator is to sign; revoke is no longer possible (C3)', () => {
    const c = act(awaitingFill(), 'counterparty', 'fill');
    expect_(c, 'awaiting_signatures', ['to_sign', 'waiting'], [
      'initiator:sign→awaiting_signatures', 'initiator:reject→rejected', 'system:invalidate→invalidated',
    ]);
  });
  test('I7 the initiator signs → the counterparty is to sign and is told by SMS', () => {
    const before = filled();
    const d = decide(before, 'sign', { kind: 'party', index: 0 }, { now: NOW });
    expect(d.notify).toEqual([{ party: 1, sms: 'invite_sign' }]);
    const c = act(before, 'initiator', 'sign');
    expect_(c, 'awaiting_signatures', ['signed', 'to_sign'], [
      'counterparty:sign→signed', 'counterparty:reject→rejected', 'system:invalidate→invalidated',
    ]);
  });
  test('the counterparty signs → signed, reminders scheduled, expiry stopped', () => {
    const before = initiatorSigned();
    const d = decide(before, 'sign', { kind: 'party', index: 1 }, { now: NOW });
    expect(d.effects).toEqual(expect.arrayContaining([{ do: 'scheduleReminders' }, { do: 'stopExpiry' }, { do: 'complete' }]));
    const c = act(before, 'counterparty', 'sign');
    expect_(c, 'signed', ['signed', 'signed'], AFTER_SIGNING(['initiator:settle_request→settle_pending', 'counterparty:settle_request→settle_pending']));
  });
  test('I9 settle: requester may cancel; the other confirms or refuses', () => {
    const pending = act(signed(), 'counterparty', 'settle_request');
    expect_(pending, 'settle_pending', ['signed', 'signed'], [
      'counterparty:settle_cancel→signed', 'initiator:settle_confirm→settled', 'initiator:settle_refuse→signed',
    ]);
    expect(act(pending, 'counterparty', 'settle_cancel').state).toBe('signed');
    expect(act(pending, 'initiator', 'settle_refuse').state).toBe('signed');
    const settled = act(pending, 'initiator', 'settle_confirm');
    expect_(settled, 'settled', ['signed', 'signed'], []);
  });
  test('C6 rescind: requester may cancel; the other confirms or refuses', () => {
    const pending = act(signed(), 'initiator', 'rescind_request');
    expect_(pending, 'rescind_pending', ['signed', 'signed'], [
      'initiator:rescind_cancel→signed', 'counterparty:rescind_confirm→rescinded', 'counterparty:rescind_refuse→signed',
    ]);
    expect_(act(pending, 'counterparty', 'rescind_confirm'), 'rescinded', ['signed', 'signed'], []);
  });
});

describe('C1 IOU: the initiator filled both parties (我来填)', () => {
  test('paid → initiate goes straight to signatures; C3 revoke allowed until the other party acts', () => {
    const c = act(paid(makeContract('iou', false)), 'system', 'initiate');
    expect_(c, 'awaiting_signatures', ['to_sign', 'waiting'], [
      'initiator:sign→awaiting_signatures', 'initiator:reject→rejected', 'initiator:revoke→revoked', 'system:invalidate→invalidated',
    ]);
    const signedByInitiator = act(c, 'initiator', 'sign');
    expect(allowed(signedByInitiator)).toContain('initiator:revoke→revoked');
    const rejected = act(signedByInitiator, 'counterparty', 'reject');
    expect_(rejected, 'rejected', ['signed', 'rejected'], []);
  });
  test('C2 expiry only when due, only by the system', () => {
    const c = act(paid(makeContract('iou', false)), 'system', 'initiate');
    expect(() => decide(c, 'expire', { kind: 'system' }, { now: NOW })).toThrow(expect.objectContaining({ code: 'INVALID_TRANSITION' }));
    const due = { now: c.expiresAt! };
    expect(decide(c, 'expire', { kind: 'system' }, due).to).toBe('expired');
    expect(decide(c, 'expire', { kind: 'system' }, due).notify).toEqual([{ party: 0, sms: 'expired' }, { party: 1, sms: 'expired' }]);
    expect(allowed(c, due)).toContain('system:expire→expired');
  });
});

describe('C5 templates: the counterparty fills and signs first, then the initiator', () => {
  test('the whole flow with 对方填', () => {
    let c = act(paid(makeContract('template', true)), 'system', 'initiate');
    expect(c.state).toBe('awaiting_fill');
    c = act(c, 'counterparty', 'fill');
    expect_(c, 'awaiting_signatures', ['waiting', 'to_sign'], ['counterparty:sign→awaiting_signatures', 'counterparty:reject→rejected', 'system:invalidate→invalidated']);
    c = act(c, 'counterparty', 'sign');
    expect_(c, 'awaiting_signatures', ['to_sign', 'signed'], ['initiator:sign→signed', 'initiator:reject→rejected', 'system:invalidate→invalidated']);
    c = act(c, 'initiator', 'sign');
    expect_(c, 'signed', ['signed', 'signed'], AFTER_SIGNING()); // no settle outside IOUs
  });
  test('with 我来填 the counterparty is asked to sign at initiation', () => {
    const c = paid(makeContract('template', false));
    const d = decide(c, 'initiate', { kind: 'system' }, { now: NOW });
    expect(d.to).toBe('awaiting_signatures');
    expect(d.notify).toEqual([{ party: 1, sms: 'invite_sign' }]);
  });
});

describe('R2 payee-initiated receipts', () => {
  test('details complete: the payee signs before paying, then the payer accepts (确认领取)', () => {
    let c = makeContract('receipt_payee', false);
    expect_(c, 'draft', ['to_sign', 'waiting'], ['initiator:sign→draft', 'initiator:revoke→revoked', 'system:invalidate→invalidated']);
    expect(() => decide(paid(c), 'initiate', { kind: 'system' }, { now: NOW })).toThrow(expect.objectContaining({ code: 'INVALID_TRANSITION' }));
    c = act(c, 'initiator', 'sign');
    expect(() => decide(c, 'initiate', { kind: 'system' }, { now: NOW })).toThrow(expect.objectContaining({ code: 'PAYMENT_REQUIRED' }));
    // The payer is asked to 确认领取 (not to sign) by SMS.
    expect(decide(paid(c), 'initiate', { kind: 'system' }, { now: NOW }).notify).toEqual([{ party: 1, sms: 'invite_accept' }]);
    c = act(paid(c), 'system', 'initiate');
    expect_(c, 'awaiting_signatures', ['signed', 'to_sign'], ['counterparty:accept→signed', 'counterparty:reject→rejected', 'initiator:revoke→revoked', 'system:invalidate→invalidated']);
    expect(act(c, 'counterparty', 'reject').state).toBe('rejected');
    // 确认领取 completes the receipt without a signature of the payer; the payee is told it was accepted.
    const accept = decide(c, 'accept', { kind: 'party', index: 1 }, { now: NOW });
    expect(accept.effects).not.toContainEqual({ do: 'recordSignature' });
    expect(accept.effects).toEqual(expect.arrayContaining([{ do: 'complete' }, { do: 'stopExpiry' }]));
    expect(accept.notify).toEqual([{ party: 0, sms: 'receipt_accepted' }]);
    c = act(c, 'counterparty', 'accept');
    expect_(c, 'signed', ['signed', 'signed'], AFTER_SIGNING());
    expect(c.parties[1]!.signature).toBeNull();
  });
  test('details pending: the payee pays first, the payer fills, the payee signs, the payer accepts', () => {
    let c = makeContract('receipt_payee', true);
    expect(statuses(c)).toEqual(['waiting', 'to_fill']);
    c = act(paid(c), 'system', 'initiate');
    expect(c.state).toBe('awaiting_fill');
    c = act(c, 'counterparty', 'fill');
    expect_(c, 'awaiting_signatures', ['to_sign', 'waiting'], ['initiator:sign→awaiting_signatures', 'initiator:reject→rejected', 'system:invalidate→invalidated']);
    expect(decide(c, 'sign', { kind: 'party', index: 0 }, { now: NOW }).notify).toEqual([{ party: 1, sms: 'invite_accept' }]);
    c = act(c, 'initiator', 'sign');
    c = act(c, 'counterparty', 'accept');
    expect(c.state).toBe('signed');
  });
});

describe('R3 payer-initiated receipts: 确认开具 with no fee, the payee signs or refuses', () => {
  test('details complete', () => {
    let c = makeContract('receipt_payer', false);
    expect_(c, 'draft', ['waiting', 'waiting'], ['initiator:issue→awaiting_signatures', 'initiator:revoke→revoked', 'system:invalidate→invalidated']);
    c = act(c, 'initiator', 'issue'); // unpaid: no gate in this flow
    expect_(c, 'awaiting_signatures', ['confirmed', 'to_sign'], ['counterparty:sign→signed', 'counterparty:reject→rejected', 'initiator:revoke→revoked', 'system:invalidate→invalidated']);
    expect(act(c, 'counterparty', 'sign').state).toBe('signed');
  });
  test('details pending', () => {
    let c = act(makeContract('receipt_payer', true), 'initiator', 'issue');
    expect(c.state).toBe('awaiting_fill');
    c = act(c, 'counterparty', 'fill');
    expect(statuses(c)).toEqual(['confirmed', 'to_sign']);
    expect(act(c, 'counterparty', 'reject').state).toBe('rejected');
  });
});

describe('N1 R2 R3 who is told what at each receipt step', () => {
  type Step = [Who, Action];
  const walk = (flow: Flow, fills: boolean, steps: Step[]): Contract =>
    steps.reduce((c, [who, action]) => act(action === 'initiate' ? paid(c) : c, who, action), makeContract(flow, fills));
  const notified = (c: Contract, who: Who, action: Action) => decide(action === 'initiate' ? paid(c) : c, action, callerOf(who), { now: NOW }).notify;
  test.each<[string, Flow, boolean, Step[], Step, Array<{ party: number; sms: string }>]>([
    // payee-initiated, details complete: sign (nobody told), pay → the payer is asked to 确认领取
    ['payee signs its draft', 'receipt_payee', false, [], ['initiator', 'sign'], []],
    ['payee paid: payer invited to accept', 'receipt_payee', false, [['initiator', 'sign']], ['system', 'initiate'], [{ party: 1, sms: 'invite_accept' }]],
    ['payer accepts', 'receipt_payee', false, [['initiator', 'sign'], ['system', 'initiate']], ['counterparty', 'accept'], [{ party: 0, sms: 'receipt_accepted' }]],
    ['payer refuses (拒绝领取)', 'receipt_payee', false, [['initiator', 'sign'], ['system', 'initiate']], ['counterparty', 'reject'], [{ party: 0, sms: 'receipt_refused' }]],
    // payee-initiated, details pending: pay (no phone to text), fill → payee to sign, sign → payer to accept
    ['pending: paid, nobody to text', 'receipt_payee', true, [], ['system', 'initiate'], []],
    ['pending: payer refuses before filling', 'receipt_payee', true, [['system', 'initiate']], ['counterparty', 'reject'], [{ party: 0, sms: 'receipt_refused' }]],
    ['pending: payer filled, payee to sign', 'receipt_payee', true, [['system', 'initiate']], ['counterparty', 'fill'], [{ party: 0, sms: 'ready_to_sign' }]],
    ['pending: payee signs, payer invited to accept', 'receipt_payee', true, [['system', 'initiate'], ['counterparty', 'fill']], ['initiator', 'sign'], [{ party: 1, sms: 'invite_accept' }]],
    ['pending: payee refuses to sign their own receipt', 'receipt_payee', true, [['system', 'initiate'], ['counterparty', 'fill']], ['initiator', 'reject'], [{ party: 1, sms: 'rejected' }]],
    // payer-initiated: 确认开具 → the payee is asked to sign (if reachable), signs or 拒签
    ['payer issues: payee invited to sign', 'receipt_payer', false, [], ['initiator', 'issue'], [{ party: 1, sms: 'invite_sign' }]],
    ['payee signs: receipt in force', 'receipt_payer', false, [['initiator', 'issue']], ['counterparty', 'sign'], [{ party: 0, sms: 'receipt_signed' }]],
    ['payee refuses (拒签)', 'receipt_payer', false, [['initiator', 'issue']], ['counterparty', 'reject'], [{ party: 0, sms: 'rejected' }]],
    ['pending: payer issues, nobody to text', 'receipt_payer', true, [], ['initiator', 'issue'], []],
    ['pending: payee fills, nobody told', 'receipt_payer', true, [['initiator', 'issue']], ['counterparty', 'fill'], []],
    ['pending: payee signs', 'receipt_payer', true, [['initiator', 'issue'], ['counterparty', 'fill']], ['counterparty', 'sign'], [{ party: 0, sms: 'receipt_signed' }]],
  ])('%s', (_label, flow, fills, before, [who, action], sms) => {
    expect(notified(walk(flow, fills, before), who, action)).toEqual(sms);
  });
});

describe('final states accept nothing', () => {
  test.each(['rejected', 'revoked', 'expired', 'invalidated', 'rescinded', 'settled'] as ContractState[])('%s', (state) => {
    for (const flow of ['iou', 'template', 'receipt_payee', 'receipt_payer'] as Flow[]) {
      expect(allowed({ ...paid(makeContract(flow, false)), state })).toEqual([]);
    }
  });
});

describe('C3 A3 F2 a draft that ends without passing the payment gate closes its open order', () => {
  const closes = (row: Transition) => (row.effects ?? []).some((e) => 'do' in e && e.do === 'closeOpenOrder');
  const name = (row: Transition) => `${row.flows === 'all' ? 'all' : row.flows.join('+')} ${row.from} ─${row.action}/${row.actor}→ ${row.to}`;
  const leavingDraft = TRANSITIONS.filter((row) => row.from === 'draft' && row.to !== 'draft');
  // Every way out of the draft: through the gate (initiate, once paid), 确认开具 of a flow with no fee
  // (no order can exist), or it closes the order — so no order is left payable for a contract that
  // can no longer be initiated.
  test.each(leavingDraft.map((row) => [name(row), row] as const))('%s', (_name, row) => {
    if (row.action === 'initiate') {
      expect(row.when).toContain('paid');
      expect(closes(row)).toBe(false);
    } else if (row.action === 'issue') {
      expect(row.flows).toEqual(['receipt_payer']);
      expect(closes(row)).toBe(false);
    } else {
      expect(closes(row)).toBe(true);
    }
  });
  test('exactly the draft\'s revoke and invalidate close it; no row after the gate does (no order is open then)', () => {
    expect(TRANSITIONS.filter(closes).map((row) => `${row.from}:${row.action}→${row.to}`).sort()).toEqual(['draft:invalidate→invalidated', 'draft:revoke→revoked']);
  });
  test('no draft expires: the expiry rows start from initiated states only', () => {
    expect(TRANSITIONS.filter((row) => row.action === 'expire').map((row) => row.from).sort()).toEqual(['awaiting_fill', 'awaiting_signatures']);
  });
  test.each([
    ['revoke', 'initiator', 'draft', true],
    ['invalidate', 'system', 'draft', true],
    ['revoke', 'initiator', 'awaiting_signatures', false],
    ['invalidate', 'system', 'awaiting_fill', false],
  ] as const)('decide %s by %s from %s → closeOpenOrder: %s', (action, who, state, expected) => {
    for (const flow of ['iou', 'template', 'receipt_payee', 'receipt_payer'] as Flow[]) {
      const c = { ...makeContract(flow, true), state };
      expect(decide(c, action, callerOf(who), { now: NOW }).effects.some((e) => 'do' in e && e.do === 'closeOpenOrder')).toBe(expected);
    }
  });
});

describe('C1 C3 C5 C6 U2 own files: N signers over the list', () => {
  const makeOwnFile = (count: number, toFill: number[], order: 'sequential' | 'any' = 'sequential'): Contract => {
    const fills = Array.from({ length: count }, (_, i) => toFill.includes(i));
    const s = initialStatuses('own_file', fills);
    const o = signingPositions('own_file', count, order);
    return {
      ...makeContract('iou', false), kind: 'own_file', flow: 'own_file', signingOrder: order,
      parties: fills.map((f, i) => ({
        side: i === 0 ? 'initiator' : 'signer', role: 'signer', openid: `o${i}`, details: f ? null : details(`签${i}`),
        filledBy: i === 0 ? 'self' : f ? null : 'initiator', status: s[i]!, filledAt: i === 0 ? NOW : null, signature: null, order: o[i]!,
      })),
      memberOpenids: fills.map((_, i) => `o${i}`),
      payment: { status: 'waived', amountFen: 0, orderId: null, paidAt: NOW },
    };
  };
  type Step = [number | 'system', Action];
  const perform = (c: Contract, [who, action]: Step): Decision =>
    decide(deepFreeze(structuredClone(c)), action, who === 'system' ? { kind: 'system' } : { kind: 'party', index: who }, { now: NOW });
  const walk = (c: Contract, steps: Step[]): Contract => steps.reduce((x, step) => withEffects(applyDecision(x, perform(x, step)), perform(x, step), step[1]), c);

  const three = () => makeOwnFile(3, [2]);
  const go: Step = ['system', 'initiate'];
  type Outcome = { to: ContractState; statuses: PartyStatus[]; notify: Array<{ party: number; sms: string }> } | { code: string; details?: object };
  test.each<[string, () => Contract, Step[], Step, Outcome]>([
    ['initiate with a 对方填 signer → awaiting_fill, nobody to text', three, [], go, { to: 'awaiting_fill', statuses: ['waiting', 'waiting', 'to_fill'], notify: [] }],
    ['initiate, all filled → the initiator is first to sign', () => makeOwnFile(3, []), [], go, { to: 'awaiting_signatures', statuses: ['to_sign', 'waiting', 'waiting'], notify: [{ party: 0, sms: 'invite_sign' }] }],
    ['initiate unpaid → PAYMENT_REQUIRED', () => ({ ...three(), payment: { status: 'unpaid', amountFen: 300, orderId: null, paidAt: null } }), [], go, { code: 'PAYMENT_REQUIRED' }],
    ['the last 对方填 signer fills → signing starts with the initiator', three, [go], [2, 'fill'], { to: 'awaiting_signatures', statuses: ['to_sign', 'waiting', 'waiting'], notify: [{ party: 0, sms: 'invite_sign' }] }],
    ['one of two 对方填 signers fills → still awaiting_fill', () => makeOwnFile(3, [1, 2]), [go], [1, 'fill'], { to: 'awaiting_fill', statuses: ['waiting', 'waiting', 'to_fill'], notify: [] }],
    ['the initiator cannot fill', three, [go], [0, 'fill'], { code: 'INVALID_TRANSITION' }],
    ['the initiator signs → the second is invited', three, [go, [2, 'fill']], [0, 'sign'], { to: 'awaiting_signatures', statuses: ['signed', 'to_sign', 'waiting'], notify: [{ party: 1, sms: 'invite_sign' }] }],
    ['the third before the second → NOT_YOUR_TURN naming the second', three, [go, [2, 'fill'], [0, 'sign']], [2, 'sign'], { code: 'NOT_YOUR_TURN', details: { turn: [{ index: 1, side: 'signer', role: 'signer', name: '签1' }] } }],
    ['the second before the initiator → NOT_YOUR_TURN naming the initiator', three, [go, [2, 'fill']], [1, 'sign'], { code: 'NOT_YOUR_TURN', details: { turn: [{ index: 0, side: 'initiator', name: '签0' }] } }],
    ['the second signs → the third is invited', three, [go, [2, 'fill'], [0, 'sign']], [1, 'sign'], { to: 'awaiting_signatures', statuses: ['signed', 'signed', 'to_sign'], notify: [{ party: 2, sms: 'invite_sign' }] }],
    ['the last signature → signed, all others told', three, [go, [2, 'fill'], [0, 'sign'], [1, 'sign']], [2, 'sign'], { to: 'signed', statuses: ['signed', 'signed', 'signed'], notify: [{ party: 0, sms: 'contract_signed' }, { party: 1, sms: 'contract_signed' }] }],
    ['signing twice → INVALID_TRANSITION', three, [go, [2, 'fill'], [0, 'sign']], [0, 'sign'], { code: 'INVALID_TRANSITION' }],
    ['order any: after the initiator both others are to sign', () => makeOwnFile(3, [], 'any'), [go], [0, 'sign'], { to: 'awaiting_signatures', statuses: ['signed', 'to_sign', 'to_sign'], notify: [{ party: 1, sms: 'invite_sign' }, { party: 2, sms: 'invite_sign' }] }],
    ['order any: the third may sign before the second', () => makeOwnFile(3, [], 'any'), [go, [0, 'sign']], [2, 'sign'], { to: 'awaiting_signatures', statuses: ['signed', 'to_sign', 'signed'], notify: [] }],
    ['a waiting signer rejects → rejected for all, all others told', three, [go, [2, 'fill'], [0, 'sign']], [2, 'reject'], { to: 'rejected', statuses: ['signed', 'to_sign', 'rejected'], notify: [{ party: 0, sms: 'rejected' }, { party: 1, sms: 'rejected' }] }],
    ['a 对方填 signer rejects before filling', three, [go], [2, 'reject'], { to: 'rejected', statuses: ['waiting', 'waiting', 'rejected'], notify: [{ party: 0, sms: 'rejected' }, { party: 1, sms: 'rejected' }] }],
    ['a signer who signed cannot reject', three, [go, [2, 'fill'], [0, 'sign']], [0, 'reject'], { code: 'INVALID_TRANSITION' }],
    ['revoke while no other signer acted', three, [go], [0, 'revoke'], { to: 'revoked', statuses: ['waiting', 'waiting', 'to_fill'], notify: [] }],
    ['revoke after another signer filled → refused (C3)', () => makeOwnFile(3, [1, 2]), [go, [1, 'fill']], [0, 'revoke'], { code: 'INVALID_TRANSITION' }],
    ['revoke after another signer signed → refused (C3)', () => makeOwnFile(3, [], 'any'), [go, [0, 'sign'], [2, 'sign']], [0, 'revoke'], { code: 'INVALID_TRANSITION' }],
    ['a signer cannot revoke', three, [go], [1, 'revoke'], { code: 'INVALID_TRANSITION' }],
    ['three signers: rescind → MULTI_PARTY_RESCIND_UNSUPPORTED (C6)', three, [go, [2, 'fill'], [0, 'sign'], [1, 'sign'], [2, 'sign']], [1, 'rescind_request'], { code: 'MULTI_PARTY_RESCIND_UNSUPPORTED' }],
    ['two signers: rescind may be requested', () => makeOwnFile(2, []), [go, [0, 'sign'], [1, 'sign']], [1, 'rescind_request'], { to: 'rescind_pending', statuses: ['signed', 'signed'], notify: [{ party: 0, sms: 'rescind_requested' }] }],
    ['two signers: the other one confirms', () => makeOwnFile(2, []), [go, [0, 'sign'], [1, 'sign'], [1, 'rescind_request']], [0, 'rescind_confirm'], { to: 'rescinded', statuses: ['signed', 'signed'], notify: [{ party: 1, sms: 'rescind_answered' }] }],
    ['own files have no settle', () => makeOwnFile(2, []), [go, [0, 'sign'], [1, 'sign']], [0, 'settle_request'], { code: 'INVALID_TRANSITION' }],
    ['expiry before it is due → refused', three, [go], ['system', 'expire'], { code: 'INVALID_TRANSITION' }],
  ])('%s', (_label, make, before, step, outcome) => {
    const c = walk(make(), before);
    if ('code' in outcome) {
      let err: unknown;
      try {
        perform(c, step);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe(outcome.code);
      if (outcome.details) expect((err as AppError).details).toMatchObject(outcome.details);
      return;
    }
    const d = perform(c, step);
    expect({ to: d.to, statuses: d.statuses, notify: d.notify }).toEqual(outcome);
  });

  test('C2 a due own file expires and every signer is told', () => {
    const c = walk(makeOwnFile(3, [2]), [go]);
    const d = decide(c, 'expire', { kind: 'system' }, { now: c.expiresAt! });
    expect(d.to).toBe('expired');
    expect(d.notify).toEqual([0, 1, 2].map((party) => ({ party, sms: 'expired' })));
  });

  test('a two-party position (`counterparty`) never matches a signer of an own file', () => {
    // The two-party rows name index 1 as `counterparty`; an own file's second signer does not take them.
    expect(TRANSITIONS.filter((r) => r.flows !== 'all' && r.flows.includes('own_file')).every((r) => r.actor !== 'counterparty')).toBe(true);
  });
});
