/**
 * A contract as a DocumentModel (T4), whatever its kind: the IOU through its bespoke builder, the
 * receipt and every template through the generic text renderer. Parties are looked up by their
 * role in the kind (房东, 出借人 …) and shown masked, as the product shows them; a party that has
 * not filled in yet (对方填) reads （待填写）, so a preview works at any time before signing.
 * No pdf-lib here, for any kind: the catalogue builds its preview text from the same model.
 */
import type { Contract, PartyDetails } from '../domain/contract';
import { buildIouDocument, type IouDocumentData } from '../documents/iou-model';
import type { DocumentModel } from '../documents/model';
import { buildTemplateDocument, PENDING, type TemplateParty } from '../documents/template-document';
import { maskIdNumber } from '../rules/id-number';
import { formatYuan, toCapital } from '../rules/money';
import { maskPhone } from '../rules/phone';
import type { KindSpec } from '../kinds/kind';

const money = (fen: number) => ({ figures: `¥${formatYuan(fen)}`, capital: `人民币${toCapital(fen)}` });
const percent = (bp: number) => (bp / 100).toFixed(2).replace(/\.?0+$/, '') || '0';

interface IouFormShape {
  amountFen: number;
  purpose: string;
  borrowDate: string;
  repayDate: string;
  annualRateBp: number;
  repaymentPlan: Array<{ dueDate: string; principalFen: number }>;
  supplement?: { overdueRateBp?: number; borrowerAddress?: string; lenderAddress?: string; otherTerms?: string };
}

/** What a document is built from: a contract, or a kind's example with no parties yet (the catalogue). */
export interface ModelSource {
  contractNo: string;
  form: Contract['form'];
  createdAt: string;
  /** In the contract's order (initiator first); `role` is the party's role in the kind. */
  parties: ReadonlyArray<{ role: string; details: PartyDetails | null }>;
}

/** What the document shows of a party: masked ID number and phone (never the full ones). */
export const shownParty = (d: PartyDetails | null): TemplateParty | null =>
  d ? { name: d.name, maskedIdNumber: maskIdNumber(d.idNumber), maskedPhone: maskPhone(d.phone) } : null;

/** The details of the party holding the kind role `role`, or null while they are to fill. */
export const detailsByKindRole = (c: Pick<ModelSource, 'parties'>, role: string): PartyDetails | null =>
  c.parties.find((p) => p.role === role)?.details ?? null;

/** The IOU's document data: figures and 大写 from the money rules, ID numbers and phones masked. */
export const iouDocumentData = (c: ModelSource): IouDocumentData => {
  const f = c.form as unknown as IouFormShape;
  const party = (kindRole: string, address?: string) => {
    const p = shownParty(detailsByKindRole(c, kindRole));
    return {
      name: p?.name ?? PENDING,
      maskedIdNumber: p?.maskedIdNumber ?? PENDING,
      maskedPhone: p?.maskedPhone ?? PENDING,
      ...(address ? { address } : {}),
    };
  };
  const s = f.supplement;
  return {
    contractNo: c.contractNo,
    lender: party('lender', s?.lenderAddress),
    borrower: party('borrower', s?.borrowerAddress),
    amount: money(f.amountFen),
    purpose: f.purpose,
    borrowDate: f.borrowDate,
    repayDate: f.repayDate,
    annualRatePercent: percent(f.annualRateBp),
    repaymentPlan: f.repaymentPlan.map((i) => ({ dueDate: i.dueDate, amount: money(i.principalFen) })),
    ...(s ? { supplementary: { ...(s.overdueRateBp !== undefined ? { overdueRatePercent: percent(s.overdueRateBp) } : {}), ...(s.otherTerms ? { otherTerms: [s.otherTerms] } : {}) } } : {}),
    platformName: '电子签',
    createdAt: new Date(c.createdAt),
  };
};

/** The model of a contract (or of a kind's example, for the catalogue preview). */
export const contractModel = (spec: KindSpec, c: ModelSource): DocumentModel => {
  if (spec.document.renderer === 'iou') return buildIouDocument(iouDocumentData(c));
  return buildTemplateDocument(spec.document.text, {
    contractNo: c.contractNo,
    form: c.form,
    roles: spec.roleSpecs.map((r) => ({ key: r.key, label: r.label, designation: r.designation, party: shownParty(detailsByKindRole(c, r.key)) })),
    createdAt: new Date(c.createdAt),
    keywords: [spec.title, spec.titleEn],
  });
};
