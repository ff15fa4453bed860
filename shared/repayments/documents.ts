/**
 * The ledger's signed documents (L3, L4): the extension agreement (展期协议), signed by both
 * parties with their one-time certificates after their identity checks, and the settlement
 * certificate (结清证明) the lender signs. Each is a PDF of its own that names the IOU by its
 * number and the SHA-256 of its signed file, rather than pages added to the IOU: the IOU's file
 * and its verified signatures stay exactly as signed, and each supplement verifies on its own in
 * any PDF reader (pdfsig). Heavy (pdf-lib, fonts): only the functions that sign import it.
 *
 * May import: documents/, contracts/ (signing keys, certificate summary), rules/, domain/, ports/,
 * this module's records.
 */
import { partyAt, type Contract } from '../domain/contract';
import type { Deps } from '../ports/operation';
import type { DocumentModel, SignatureArea } from '../documents/model';
import { renderDocument } from '../documents/render';
import { createPersonalSeal } from '../documents/seal';
import { signPdf } from '../documents/sign';
import { chinaDay } from '../rules/dates';
import { maskIdNumber } from '../rules/id-number';
import { formatYuan, toCapital } from '../rules/money';
import type { Ledger } from '../rules/ledger';
import type { RepaymentInstalment } from '../rules/iou';
import { partyCertificate } from '../contracts/signing-keys';
import { borrowerIndex, isIou, ledgerOf, lenderIndex, loadLedgerRecords } from './records';
import type { SettlementCertificate } from '../domain/contract';

const yuan = (fen: number) => `¥${formatYuan(fen)}（人民币${toCapital(fen)}）`;
const ROLE_LABEL: Record<string, string> = { lender: '出借人', borrower: '借款人' };

const partiesBlock = (c: Contract) => ({
  kind: 'keyValue' as const,
  rows: [lenderIndex(c), borrowerIndex(c)].map((i) => {
    const p = partyAt(c, i);
    return { key: ROLE_LABEL[p.role] ?? p.role, value: `${p.details?.name ?? ''}（身份证号 ${p.details ? maskIdNumber(p.details.idNumber) : ''}）` };
  }),
});

const signatureBlock = (c: Contract, indexes: number[]) => ({
  kind: 'signatureAreas' as const,
  parties: indexes.map((i) => {
    const p = partyAt(c, i);
    return { role: ROLE_LABEL[p.role] ?? p.role, name: p.details?.name ?? '', maskedId: p.details ? maskIdNumber(p.details.idNumber) : '', fieldName: `Sig_${p.role}` };
  }),
});

const iouReference = (c: Contract) =>
  `本协议是编号为 ${c.contractNo} 的《${c.title}》（签署版文件 SHA-256：${c.document?.signedKey ? c.document.currentSha256 : c.document?.currentSha256 ?? ''}）的补充文件。`;

/** 展期协议: the new plan for the principal unpaid on `on`. */
export const extensionModel = (c: Contract, plan: readonly RepaymentInstalment[], principalFen: number, on: string, extensionNo: string): DocumentModel => ({
  contractNo: extensionNo,
  // Its own number, not the IOU's (which the first paragraph cites): never labelled 合同编号.
  numberLabel: '协议编号',
  title: '借款展期协议',
  blocks: [
    { kind: 'paragraph', text: iouReference(c) },
    partiesBlock(c),
    { kind: 'paragraph', text: `截至${on}，借款人尚欠借款本金${yuan(principalFen)}。经双方协商一致，就该本金的还款计划变更如下：` },
    { kind: 'table', columns: [{ title: '期数', width: 0.6, align: 'center' }, { title: '还款日', align: 'center' }, { title: '应还本金', width: 2, align: 'right' }], rows: plan.map((p, i) => [String(i + 1), p.dueDate, yuan(p.principalFen)]) },
    {
      kind: 'clauses',
      clauses: [
        '自本协议双方签署之日起，上述本金按本协议的还款计划偿还；原借条约定的利率、逾期利率及其他条款不变。',
        '本协议签署前已产生的利息、逾期利息仍按原借条计算并应支付。',
        '本协议经双方在电子签平台完成身份核验后签署，与原借条具有同等法律效力。',
      ],
    },
    signatureBlock(c, [lenderIndex(c), borrowerIndex(c)]),
  ],
  metadata: { subject: `${c.contractNo} 展期协议`, keywords: ['展期', c.contractNo] },
});

/** 结清证明: the lender certifies that nothing is owed, citing the ledger's last figures. */
export const settlementModel = (c: Contract, ledger: Ledger, certificateNo: string): DocumentModel => {
  const paid = ledger.repayments.reduce((n, r) => n + r.amountFen, 0);
  const interest = ledger.repayments.reduce((n, r) => n + r.toInterestFen, 0);
  return {
    contractNo: certificateNo,
    numberLabel: '证明编号',
    title: '结清证明',
    blocks: [
      { kind: 'paragraph', text: iouReference(c).replace('补充文件', '结清证明') },
      partiesBlock(c),
      {
        kind: 'paragraph',
        // Settled without repayments in the ledger (paid outside it): the certificate says so, with no figures it cannot vouch for.
        text: paid > 0
          ? `出借人确认：截至${ledger.asOf}，借款人已偿还上述借条项下款项共计${yuan(paid)}，其中利息（含逾期利息）${yuan(interest)}，本金${yuan(paid - interest)}。双方就该借条的债权债务已全部结清，出借人不再就该借条向借款人主张任何权利。`
          : `出借人确认：截至${ledger.asOf}，双方就上述借条项下的债权债务已全部结清（还款未在平台登记），出借人不再就该借条向借款人主张任何权利。`,
      },
      ...(paid > 0
        ? [{ kind: 'table' as const, columns: [{ title: '还款日', align: 'center' as const }, { title: '金额', align: 'right' as const }, { title: '计入利息', align: 'right' as const }, { title: '计入本金', align: 'right' as const }], rows: ledger.repayments.map((r) => [r.paidOn, `¥${formatYuan(r.amountFen)}`, `¥${formatYuan(r.toInterestFen)}`, `¥${formatYuan(r.toPrincipalFen)}`]) }]
        : []),
      signatureBlock(c, [lenderIndex(c)]),
    ],
    metadata: { subject: `${c.contractNo} 结清证明`, keywords: ['结清证明', c.contractNo] },
  };
};

export const renderSupplement = (model: DocumentModel) => renderDocument(model);

/**
 * The party at `index` signs `bytes` in their field (an incremental update, so an earlier
 * party's signature stays valid), with a one-time certificate naming them.
 */
export const signAsParty = async (deps: Deps, c: Contract, index: number, bytes: Uint8Array, areas: readonly SignatureArea[], reason: string, at: Date) => {
  const party = partyAt(c, index);
  const fieldName = `Sig_${party.role}`;
  const area = areas.find((a) => a.fieldName === fieldName);
  if (!area) throw new Error(`no signature area ${fieldName}`);
  const cert = await partyCertificate(deps, party.details!, at);
  const signed = await signPdf(bytes, {
    fieldName,
    placement: { pageIndex: area.pageIndex, rect: area.rect },
    signer: { certPem: cert.certPem, keyPem: cert.keyPem, chainPems: cert.chainPems },
    reason,
    signerName: party.details!.name,
    signingTime: at,
    appearance: { kind: 'vector', drawing: createPersonalSeal(party.details!.name) },
    caption: chinaDay(at),
    // B-T like every party signature: a TSA that fails fails the act, nothing is committed.
    tsa: deps.tsa,
  });
  return { ...signed, fieldName, certificateSerial: cert.info.serialNumberHex };
};

/**
 * L4, in settle_confirm's commit: the lender signs the 结清证明 with the ledger's figures of the day
 * (the lender passed a face check in this settlement, as its requester or its confirmer).
 */
export const settlementCertificate = async (deps: Deps, c: Contract, at: Date): Promise<{ settlementCertificate?: SettlementCertificate }> => {
  const lender = lenderIndex(c);
  if (!isIou(c) || lender < 0) return {};
  const ledger = ledgerOf(deps, c, await loadLedgerRecords(deps, c._id), chinaDay(at));
  const rendered = await renderSupplement(settlementModel(c, ledger, `${c.contractNo}-JQ`));
  const signed = await signAsParty(deps, c, lender, rendered.bytes, rendered.signatureAreas, '出借人确认借条已结清并出具《结清证明》', at);
  const key = `contracts/${c._id}/settlement-${signed.sha256.slice(0, 16)}.pdf`;
  await deps.files.put(key, Buffer.from(signed.bytes), 'application/pdf');
  return { settlementCertificate: { key, sha256: signed.sha256, signedAt: at.toISOString(), certificateSerial: signed.certificateSerial } };
};
