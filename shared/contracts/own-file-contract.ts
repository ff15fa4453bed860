/**
 * An own-file contract's draft (U2, U3, C2, C5): the initiator's imported document, two or more
 * signers in order (the initiator first with their verified details; each other one 我来填 with
 * details or 对方填), the signing order, the deadline, and each signer's signature fields on the
 * prepared pages. Every check runs before anything is stored, and creating spends no quota (the
 * fee is quoted and the quota used at payment, U4).
 *
 * May import: domain, lifecycle, identity, kinds, rules, store (through repository), own-files, errors, ports.
 */
import { AppError } from '../errors';
import { chainEvents, GENESIS_HASH } from '../domain/events';
import { CONTRACT_SCHEMA_VERSION, type Contract, type Party, type SignatureField, type SigningOrder } from '../domain/contract';
import { CONTRACT_PAYMENT_TABLE, newRecord } from '../lifecycle';
import { initialStatuses, signingPositions } from '../lifecycle/table';
import { checkEligible, parsePerson } from '../identity/person';
import { requireRealName } from '../identity/users';
import { chinaDay } from '../rules/dates';
import { cleanTypedText, requireSmsSafe } from '../rules/typed-text';
import { listPrice } from '../rules/fees';
import type { Deps } from '../ports/operation';
import { CONTRACTS, EVENTS } from './repository';
import { loadImport } from './own-file-imports';
import { kindSpec } from '../kinds/registry';
import type { KindSpec } from '../kinds/kind';

export const OWN_FILE_KIND = 'own_file';
/** The most signers one own file takes (the initiator included). */
export const MAX_OWN_FILE_SIGNERS = 10;
/** C2: a deadline at most this far ahead (the contract's 30 days). */
export const MAX_DEADLINE_DAYS = 30;
/** Who may sign an own file: an adult (the product's 18 and over; the age is the ID number's). */
export const OWN_FILE_AGE = { min: 18, max: 120 };
const ADULT = OWN_FILE_AGE;

/** Who may take a place in a contract: the rules an own file's signers share. */
const OWN_FILE_RULES: PartyRules = { roleLabels: { signer: '签署方' }, ageRange: OWN_FILE_AGE, mainlandOnly: false };
export type PartyRules = Pick<KindSpec, 'roleLabels' | 'ageRange' | 'mainlandOnly'>;

/**
 * Who may fill or open a place in `c` (P3, I1, R1): its kind's rules, or — an own file having no
 * template — any adult of any residency, under the one role 签署方.
 */
export const partyRules = (c: Pick<Contract, 'flow' | 'kind'>): PartyRules => (c.flow === 'own_file' ? OWN_FILE_RULES : kindSpec(c.kind));

export interface OwnFileSignerInput {
  fillMode: 'self' | 'me' | 'other';
  name?: string;
  idNumber?: string;
  phone?: string;
  fields: Array<{ page: number; x: number; y: number; width: number; height: number }>;
}

export interface OwnFileCreateInput {
  fileId: string;
  title: string;
  deadline: string;
  signingOrder?: SigningOrder;
  noticeAccepted: true;
  signers: OwnFileSignerInput[];
}

const invalid = (message: string, field: string, rule: string, extra: Record<string, unknown> = {}) =>
  new AppError('VALIDATION_FAILED', message, { fields: [{ field, rule, ...extra }] });

const overlaps = (a: SignatureField, b: SignatureField) =>
  a.page === b.page && a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

export const createOwnFileDraft = async (deps: Deps, openid: string, input: OwnFileCreateInput): Promise<Contract> => {
  const now = deps.clock.now();
  const today = chinaDay(now);
  const me = await requireRealName(deps, openid);
  checkEligible({ birthDate: me.birthDate, kind: me.idKind }, today, ADULT, false);
  if (input.noticeAccepted !== true) throw invalid('请先阅读并接受告知书', '/noticeAccepted', 'const');
  const imported = await loadImport(deps, input.fileId, openid);
  // The title is named in the other signers' SMS: no link or contact number in it (M3).
  const title = requireSmsSafe(cleanTypedText(input.title, 'contractTitle', '/title'), '/title');

  const deadline = Date.parse(input.deadline);
  if (!Number.isFinite(deadline) || deadline <= now.getTime()) throw invalid('签署截止时间须晚于当前时间', '/deadline', 'future');
  if (deadline > now.getTime() + MAX_DEADLINE_DAYS * 86_400_000) throw invalid(`签署截止时间不能超过 ${MAX_DEADLINE_DAYS} 天`, '/deadline', 'maxDays', { max: MAX_DEADLINE_DAYS });

  const signers = input.signers;
  if (signers.length < 2) throw invalid('至少需要两位签署方', '/signers', 'minItems');
  if (signers.length > MAX_OWN_FILE_SIGNERS) throw invalid(`签署方最多 ${MAX_OWN_FILE_SIGNERS} 位`, '/signers', 'maxItems', { max: MAX_OWN_FILE_SIGNERS });
  if (signers[0]!.fillMode !== 'self' || signers.slice(1).some((s) => s.fillMode === 'self'))
    throw invalid('第一位签署方须为发起人本人', '/signers/0/fillMode', 'initiatorFirst');
  if (signers[0]!.name || signers[0]!.idNumber || signers[0]!.phone) throw invalid('发起人信息来自实名认证，请勿填写', '/signers/0', 'fillMode');

  const details: Array<Party['details']> = [{ name: me.name, idNumber: me.idNumber, phone: me.phone }];
  signers.slice(1).forEach((s, k) => {
    const at = `/signers/${k + 1}`;
    if (s.fillMode === 'other') {
      if (s.name || s.idNumber || s.phone) throw invalid('对方填：请勿填写对方信息', at, 'fillMode');
      details.push(null);
      return;
    }
    if (!s.name || !s.idNumber || !s.phone) throw invalid('我来填：请填写签署方的姓名、身份证号和手机号', at, 'required');
    const p = parsePerson({ name: s.name, idNumber: s.idNumber, phone: s.phone }, today);
    checkEligible(p, today, ADULT, false);
    details.push(p.details);
  });
  const ids = details.map((d) => d?.idNumber).filter((x): x is string => !!x);
  const dup = ids.findIndex((x, i) => ids.indexOf(x) !== i);
  if (dup >= 0) throw invalid('签署方重复：同一身份证号只能出现一次', '/signers', 'distinct');

  const fields: SignatureField[] = [];
  signers.forEach((s, party) => {
    if (s.fields.length === 0) throw invalid('每位签署方至少需要一个签署位置', `/signers/${party}/fields`, 'minItems');
    s.fields.forEach((f, k) => {
      const at = `/signers/${party}/fields/${k}`;
      const page = imported.ownFile.pages[f.page - 1];
      if (!page) throw invalid('签署位置所在页不存在', `${at}/page`, 'exists', { pages: imported.ownFile.pages.length });
      if (f.x + f.width > page.width || f.y + f.height > page.height) throw invalid('签署位置超出页面范围', at, 'onPage', { page: page });
      const field = { party, ...f };
      const clash = fields.find((g) => g.party !== party && overlaps(g, field));
      if (clash) throw invalid('签署位置与其他签署方的位置重叠', at, 'overlap', { with: clash.party });
      fields.push(field);
    });
  });

  const order = input.signingOrder ?? 'sequential';
  const fills = signers.map((s) => s.fillMode === 'other');
  const statuses = initialStatuses('own_file', fills);
  const orders = signingPositions('own_file', signers.length, order);
  const at = now.toISOString();
  const parties: Party[] = signers.map((s, i) => ({
    side: i === 0 ? 'initiator' : 'signer',
    role: 'signer',
    openid: i === 0 ? openid : null,
    details: details[i]!,
    filledBy: i === 0 ? 'self' : s.fillMode === 'me' ? 'initiator' : null,
    status: statuses[i]!,
    filledAt: i === 0 ? at : null,
    signature: null,
    order: orders[i]!,
  }));
  const fee = listPrice(deps.config.fees, 'initiation', OWN_FILE_KIND, 'own_file');
  const id = deps.ids.id('ct');
  const f = imported.ownFile;
  const draft: Contract = {
    _id: id,
    contractNo: `ZY${today.replace(/-/g, '')}${id.slice(-8).toUpperCase()}`,
    kind: OWN_FILE_KIND, flow: 'own_file', title, state: 'draft', schemaVersion: CONTRACT_SCHEMA_VERSION, parties,
    signingOrder: order,
    ownFile: {
      importId: f.importId, type: f.type, originalName: f.originalName, originalSha256: f.originalSha256, pdfSha256: f.pdfSha256,
      pages: f.pages, originals: f.originals, pdfKey: f.pdfKey, deadline: new Date(deadline).toISOString(), fields,
    },
    memberOpenids: [openid],
    form: {}, ruleFacts: {},
    shareToken: deps.ids.token(18),
    payment: newRecord(CONTRACT_PAYMENT_TABLE, { amountFen: fee, orderId: null, paidAt: null }),
    pending: null, reminders: { enabled: false },
    createdAt: at, updatedAt: at, initiatedAt: null, expiresAt: null, completedAt: null, document: null,
    eventHead: { seq: 0, hash: GENESIS_HASH },
  };
  const actor = { role: 'initiator' as const, openid };
  const chained = chainEvents(id, draft.eventHead, at, [
    // U2: the notice (告知书) accepted before going on, recorded as its own event.
    { type: 'notice_accepted', actor, data: { notice: 'own_file_notice' } },
    { type: 'created', actor, data: { kind: OWN_FILE_KIND, signers: signers.length, fillModes: signers.map((s) => s.fillMode), signingOrder: order, originalSha256: f.originalSha256, pdfSha256: f.pdfSha256, deadline: draft.ownFile!.deadline } },
  ]);
  const contract: Contract = { ...draft, eventHead: chained.head };
  const r = await deps.store.commit({ collection: CONTRACTS, doc: contract, expectedVersion: 0 }, [{ collection: EVENTS, docs: chained.docs }]);
  if (!r.ok) throw new AppError('CONFLICT');
  return { ...contract, version: r.version };
};
