/**
 * The evidence report (出证报告 / 签署报告, C9) as a DocumentModel: what a court or an arbitrator
 * needs to check a contract without trusting us — the hashes of the original and the final file,
 * every event with its time, actor and identity check, every certificate, and how to verify them
 * independently. Everything arrives prepared and masked by the caller.
 */
import type { Block, DocumentModel } from './model';

export interface EvidenceReportData {
  reportNo: string;
  contractNo: string;
  contractTitle: string;
  stateLabel: string;
  generatedAt: string; // 'YYYY-MM-DD HH:mm:ss (UTC+8)'
  parties: ReadonlyArray<{ role: string; name: string; maskedIdNumber: string; maskedPhone: string; signedAt: string }>;
  originalSha256: string;
  finalSha256: string;
  events: ReadonlyArray<{ seq: number; at: string; actor: string; action: string; identityCheck: string; hash: string }>;
  certificates: ReadonlyArray<{ signer: string; subject: string; issuer: string; serial: string; validity: string; fingerprint: string; signedAt: string; method?: string }>;
  chainIntact: boolean;
  platformName: string;
  /** An IOU's ledger (L1–L4) on the report's day, when it has one. */
  ledger?: {
    asOf: string;
    totalOutstanding: string;
    repayments: ReadonlyArray<{ paidOn: string; amount: string; channel: string; status: string }>;
    extensions: ReadonlyArray<{ proposedOn: string; plan: string; status: string; sha256: string }>;
    demands: ReadonlyArray<{ sentOn: string; overdue: string; delivery: string }>;
    limitationEndsOn: string;
    settlementCertificateSha256?: string;
  };
}

const NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八'];

export const REPORT_SIGNATURE_FIELD = 'Sig_platform_report';

/** Hex digests are long: break them into groups so the table can wrap them. */
const groups = (hex: string) => hex.replace(/(.{16})/g, '$1 ').trim();

/** The ledger's section: repayments, extensions, demand notices with their delivery, the limitation period. */
const ledgerBlocks = (l: NonNullable<EvidenceReportData['ledger']>): Block[] => [
  { kind: 'heading', text: '还款台账' },
  {
    kind: 'keyValue',
    rows: [
      { key: '台账日期', value: l.asOf },
      { key: '尚欠合计', value: l.totalOutstanding },
      { key: '诉讼时效届满日', value: l.limitationEndsOn },
      ...(l.settlementCertificateSha256 ? [{ key: '结清证明 SHA-256', value: groups(l.settlementCertificateSha256) }] : []),
    ],
  },
  ...(l.repayments.length
    ? [{ kind: 'table' as const, columns: [{ title: '还款日期' }, { title: '金额', align: 'right' as const }, { title: '方式' }, { title: '状态' }], rows: l.repayments.map((r) => [r.paidOn, r.amount, r.channel, r.status]) }]
    : [{ kind: 'paragraph' as const, text: '平台上未登记还款。', indent: false }]),
  ...(l.extensions.length
    ? [{ kind: 'table' as const, columns: [{ title: '展期提出日' }, { title: '新还款计划', width: 2 }, { title: '状态' }, { title: '展期协议 SHA-256', width: 1.6 }], rows: l.extensions.map((e) => [e.proposedOn, e.plan, e.status, groups(e.sha256)]) }]
    : []),
  ...(l.demands.length
    ? [{ kind: 'table' as const, columns: [{ title: '催告日期' }, { title: '催告金额', align: 'right' as const }, { title: '送达状态' }], rows: l.demands.map((m) => [m.sentOn, m.overdue, m.delivery]) }]
    : []),
];

export const buildEvidenceReport = (d: EvidenceReportData): DocumentModel => {
  const blocks: Block[] = [
    { kind: 'paragraph', text: `报告编号：${d.reportNo}　　生成时间：${d.generatedAt}`, indent: false, small: true },
    { kind: 'heading', text: '一、合同信息' },
    {
      kind: 'keyValue',
      rows: [
        { key: '合同名称', value: d.contractTitle },
        { key: '合同编号', value: d.contractNo },
        { key: '当前状态', value: d.stateLabel },
        { key: '原始文件 SHA-256', value: groups(d.originalSha256) },
        { key: '最终文件 SHA-256', value: groups(d.finalSha256) },
      ],
    },
    { kind: 'heading', text: '二、签署主体' },
    {
      kind: 'table',
      columns: [{ title: '身份' }, { title: '姓名' }, { title: '证件号码', width: 1.6 }, { title: '手机号', width: 1.2 }, { title: '签署时间', width: 1.6 }],
      rows: d.parties.map((p) => [p.role, p.name, p.maskedIdNumber, p.maskedPhone, p.signedAt]),
    },
    { kind: 'heading', text: '三、全流程记录' },
    {
      kind: 'table',
      columns: [{ title: '序号', width: 0.5, align: 'center' }, { title: '时间（UTC+8）', width: 1.5 }, { title: '操作人', width: 1.1 }, { title: '操作', width: 1.1 }, { title: '身份核验', width: 1.4 }],
      rows: d.events.map((e) => [String(e.seq), e.at, e.actor, e.action, e.identityCheck]),
    },
    {
      kind: 'paragraph',
      small: true,
      indent: false,
      text: `全部记录按顺序以 SHA-256 哈希链相连，每条记录的哈希覆盖其内容及上一条记录的哈希；校验结果：${d.chainIntact ? '哈希链完整，未发现删改' : '哈希链不完整'}。最后一条记录哈希：${groups(d.events.at(-1)?.hash ?? '')}`,
    },
    ...(d.ledger ? ledgerBlocks(d.ledger) : []),
    { kind: 'heading', text: '数字证书' },
    ...d.certificates.map(
      (c): Block => ({
        kind: 'keyValue',
        rows: [
          { key: '签署方', value: c.signer },
          { key: '证书主题', value: c.subject },
          { key: '颁发者', value: c.issuer },
          { key: '序列号', value: c.serial },
          { key: '有效期', value: c.validity },
          { key: 'SHA-256 指纹', value: c.fingerprint },
          { key: '签署时间', value: c.signedAt },
          ...(c.method ? [{ key: '签署验证方式', value: c.method }] : []),
        ],
      }),
    ),
    { kind: 'heading', text: '验证方法' },
    {
      kind: 'clauses',
      clauses: [
        '最终文件中的每个数字签名均为 CMS/PKCS#7 分离式签名，以增量更新方式写入，后一签名不影响前一签名的有效性。任何人可使用独立工具（如 Adobe Acrobat、poppler 的 pdfsig）校验签名，并确认最后一个签名覆盖整份文件。',
        `签名证书由${d.platformName}平台 CA 签发，证书主题中的 serialNumber 为签署人身份的不可逆标识，不含身份证号码；平台可应司法机关要求确认其对应关系。`,
        '计算文件的 SHA-256 哈希并与本报告所载“最终文件 SHA-256”比对，一致即证明文件自签署后未被改动。',
        '本报告本身由平台数字签名，报告内容的任何改动都会使该签名失效。',
      ],
    },
    { kind: 'signatureAreas', parties: [{ role: '出具方', name: d.platformName, fieldName: REPORT_SIGNATURE_FIELD }] },
  ];
  // Sections are numbered in order, whichever are present (the ledger's only for an IOU).
  let n = 0;
  const numbered = blocks.map((b) => (b.kind === 'heading' ? { ...b, text: `${NUMERALS[n++]}、${b.text.replace(/^[一二三四五六七八]、/, '')}` } : b));
  return { contractNo: d.reportNo, title: '电子合同签署报告', blocks: numbered, metadata: { subject: `签署报告 ${d.contractNo}`, keywords: ['签署报告', 'evidence report'] } };
};
