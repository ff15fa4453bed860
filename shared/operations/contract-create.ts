import { inviteeKeysOf } from '../contracts/invitees';
import { SHARE_TOKEN_BYTES } from '../messages/share-links';
import { CONTRACT_PAYMENT_TABLE, newRecord } from '../lifecycle';
import { AppError } from '../errors';
import { chainEvents, GENESIS_HASH } from '../domain/events';
import { CONTRACT_SCHEMA_VERSION, type Contract, type Party } from '../domain/contract';
import type { ContractCreateInput } from '../generated/schema-types';
import { initialStatuses, signingPositions } from '../lifecycle/table';
import { chinaDay } from '../rules/dates';
import { cleanFormText } from '../rules/typed-text';
import { listPrice } from '../rules/fees';
import { requireCaller, type Operation } from '../ports/operation';
import { validatePayload } from '../rules/json-schema';
import { CONTRACTS, EVENTS } from '../contracts/repository';
import { checkEligible, parsePerson } from '../identity/person';
import { contractView } from '../contracts/views';
import { requireRealName } from '../identity/users';
import { kindSpec } from '../kinds/registry';
import { createOwnFileDraft, OWN_FILE_KIND, type OwnFileCreateInput } from '../contracts/own-file-contract';

/**
 * Creates a draft (T2, P2, I1–I5): the initiator picks their role, their own details come from
 * their verified identity, the other party is filled now (我来填) or left to them (对方填), and
 * the form must pass the kind's schema and rules before anything is stored.
 */
export const contractCreate: Operation<ContractCreateInput> = async (raw, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const need = (keys: ReadonlyArray<keyof ContractCreateInput>) => {
    const missing = keys.filter((k) => raw[k] === undefined);
    if (missing.length) throw new AppError('VALIDATION_FAILED', undefined, { fields: missing.map((k) => ({ field: `/${k}`, rule: 'required' })) });
  };
  // Own files (U2, U3): a document and its signers instead of a role, a counterparty and a form.
  if (raw.kind === OWN_FILE_KIND) {
    need(['fileId', 'title', 'deadline', 'signers', 'noticeAccepted']);
    const c = await createOwnFileDraft(deps, openid, raw as unknown as OwnFileCreateInput);
    return contractView(c, 0, deps.clock.now().toISOString());
  }
  need(['myRole', 'counterparty', 'form']);
  const input = raw as ContractCreateInput & Required<Pick<ContractCreateInput, 'myRole' | 'counterparty' | 'form'>>;
  const spec = kindSpec(input.kind);
  if (!spec.roles.includes(input.myRole))
    throw new AppError('VALIDATION_FAILED', undefined, { fields: [{ field: '/myRole', rule: 'enum', allowed: spec.roles }] });

  const now = deps.clock.now();
  const today = chinaDay(now);
  const me = await requireRealName(deps, openid);
  checkEligible({ birthDate: me.birthDate, kind: me.idKind }, today, spec.ageRange, spec.mainlandOnly);

  const counterpartyFills = input.counterparty.fillMode === 'other';
  let other: ReturnType<typeof parsePerson> | null = null;
  if (!counterpartyFills) {
    const { name, idNumber, phone } = input.counterparty;
    if (!name || !idNumber || !phone)
      throw new AppError('VALIDATION_FAILED', '我来填：请填写对方的姓名、身份证号和手机号', { fields: [{ field: '/counterparty', rule: 'required' }] });
    other = parsePerson({ name, idNumber, phone }, today);
    checkEligible(other, today, spec.ageRange, spec.mainlandOnly);
    if (other.details.idNumber === me.idNumber) throw new AppError('VALIDATION_FAILED', '不能与自己签署合同', { fields: [{ field: '/counterparty/idNumber', rule: 'distinct' }] });
  } else if (input.counterparty.name || input.counterparty.idNumber || input.counterparty.phone) {
    throw new AppError('VALIDATION_FAILED', '对方填：请勿填写对方信息', { fields: [{ field: '/counterparty', rule: 'fillMode' }] });
  }

  const form = cleanFormText(input.form);
  validatePayload(spec.formSchema, form);
  const ruleFacts = spec.checkForm(form, { today, lprTable: deps.config.lprTable });

  const flow = spec.flowFor(input.myRole);
  const statuses = initialStatuses(flow, [false, counterpartyFills]);
  const orders = signingPositions(flow, 2);
  const otherKindRole = spec.roles.find((r) => r !== input.myRole) as string;
  const at = now.toISOString();
  const parties: Party[] = [
    {
      side: 'initiator', role: input.myRole, openid, details: { name: me.name, idNumber: me.idNumber, phone: me.phone },
      filledBy: 'self', status: statuses[0]!, filledAt: at, signature: null, order: orders[0]!,
    },
    {
      side: 'counterparty', role: otherKindRole, openid: null, details: other?.details ?? null,
      filledBy: other ? 'initiator' : null, status: statuses[1]!, filledAt: null, signature: null, order: orders[1]!,
    },
  ];
  // The list price, shown on the draft; what is charged is quoted at payment time (quota, card, coupon).
  const fee = listPrice(deps.config.fees, 'initiation', spec.kind, flow);
  const id = deps.ids.id('ct');
  const draft: Contract = {
    _id: id,
    contractNo: `${spec.numberPrefix}${today.replace(/-/g, '')}${id.slice(-8).toUpperCase()}`,
    kind: spec.kind, flow, title: spec.title, state: 'draft', schemaVersion: CONTRACT_SCHEMA_VERSION, parties,
    memberOpenids: [openid],
    inviteeKeys: inviteeKeysOf(deps, { parties }),
    form,
    ruleFacts,
    // P3: 128 random bits, 22 characters — the bare scene of a 小程序码 (messages/share-links.ts).
    shareToken: deps.ids.token(SHARE_TOKEN_BYTES),
    payment: newRecord(CONTRACT_PAYMENT_TABLE, { amountFen: fee, orderId: null, paidAt: null }),
    pending: null, reminders: { enabled: false },
    createdAt: at, updatedAt: at, initiatedAt: null, expiresAt: null, completedAt: null, document: null,
    eventHead: { seq: 0, hash: GENESIS_HASH },
  };
  const chained = chainEvents(id, draft.eventHead, at, [
    { type: 'created', actor: { role: 'initiator', openid }, data: { kind: spec.kind, myRole: input.myRole, fillMode: input.counterparty.fillMode, amountFen: form.amountFen ?? null } },
  ]);
  const contract: Contract = { ...draft, eventHead: chained.head };
  const r = await deps.store.commit({ collection: CONTRACTS, doc: contract, expectedVersion: 0 }, [{ collection: EVENTS, docs: chained.docs }]);
  if (!r.ok) throw new AppError('CONFLICT');
  return contractView({ ...contract, version: r.version }, 0, at);
};
