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
  /** Every time in the report: 'YYYY-MM-DD HH:mm:ss +08:00' (Asia/Shanghai), never UTC. */
  generatedAt: string;
  /** Every identity check of the parties (real-name and each act's), with the provider's reference in full. */
  identityChecks: ReadonlyArray<{ person: string; method: string; purpose: string; reference: string; at: string; result: string }>;
  /** The platform root certificate's SHA-256 fingerprint (colon-separated hex), the trust anchor to check against. */
  rootFingerprint: string;
  /** The event chain's head and, once the anchoring timer has run, when it was anchored (null: pending). */
  chainHead: { seq: number; hash: string; anchoredAt: string | null; merkleRoot: string | null };
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

const NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

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
    { kind: 'paragraph', text: `生成时间：${d.generatedAt}（北京时间）`, indent: false, small: true },
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
      columns: [{ title: '序号', width: 0.5, align: 'center' }, { title: '时间（北京时间）', width: 1.5 }, { title: '操作人', width: 1.1 }, { title: '操作', width: 1.1 }, { title: '身份核验', width: 1.4 }],
      rows: d.events.map((e) => [String(e.seq), e.at, e.actor, e.action, e.identityCheck]),
    },
    {
      kind: 'paragraph',
      small: true,
      indent: false,
      text: `全部记录按顺序以 SHA-256 哈希链相连，每条记录的哈希覆盖其内容及上一条记录的哈希；校验结果：${d.chainIntact ? '哈希链完整，未发现删改' : '哈希链不完整'}。`,
    },
    {
      kind: 'keyValue',
      rows: [
        { key: '链头序号', value: String(d.chainHead.seq) },
        { key: '链头哈希', value: groups(d.chainHead.hash) },
        {
          key: '时间锚定',
          value: d.chainHead.anchoredAt ? `${d.chainHead.anchoredAt}（Merkle 根 ${groups(d.chainHead.merkleRoot ?? '')}，经可信时间戳）` : '待锚定（anchor: pending）',
        },
      ],
    },
    { kind: 'heading', text: '身份核验记录' },
    d.identityChecks.length
      ? {
          kind: 'table',
          columns: [{ title: '序号', width: 0.45, align: 'center' }, { title: '核验人', width: 0.8 }, { title: '用途', width: 0.8 }, { title: '方式', width: 0.8 }, { title: '服务商流水号', width: 2.3 }, { title: '核验时间', width: 1.35 }, { title: '结果', width: 0.55 }],
          rows: d.identityChecks.map((x, i) => [String(i + 1), x.person, x.purpose, x.method, x.reference, x.at, x.result]),
        }
      : { kind: 'paragraph', text: '无身份核验记录。', indent: false },
    {
      kind: 'paragraph',
      small: true,
      indent: false,
      text: '人脸核身：活体检测并与公安机关身份信息比对，由核身服务商完成；服务商流水号为其对该次核验的唯一编号，可凭此向服务商调取核验记录。',
    },
    ...(d.ledger ? ledgerBlocks(d.ledger) : []),
    { kind: 'heading', text: '数字证书' },
    ...d.certificates.map(
      (c): Block => ({
        kind: 'keyValue',
        keepTogether: true,
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
    { kind: 'keyValue', rows: [{ key: '平台根证书 SHA-256 指纹', value: d.rootFingerprint }] },
    ...[
        '最终文件中的每个签名均为 PAdES 签名（ETSI.CAdES.detached），各附 RFC 3161 可信时间戳，以增量更新方式写入，后一签名不影响前一签名的有效性；合同完成时文件附有验证所需的证书与吊销列表（DSS）及覆盖整份文件的文档时间戳（ETSI.RFC3161）。',
        `信任锚：先核对平台根证书的 SHA-256 指纹与上方所载一致，切勿信任文件内自带的根证书。用 NSS 校验：certutil -N -d sql:<目录> --empty-password；certutil -A -d sql:<目录> -n 平台根证书 -t CT,C,C -i root.pem；pdfsig -nssdir sql:<目录> 合同.pdf，每个签名应显示“Signature is Valid”和“Certificate is Trusted”。`,
        '离线校验：npm run verify -- 合同.pdf --root-sha256 <根证书指纹> --require B-LTA；证据包（合同、原始文件、事件记录、链头签名、时间戳）用 npx esign-verify <证据包.zip> 校验，逐项给出结论。时间戳令牌可用 openssl ts -verify 独立校验。',
        `签名证书由${d.platformName}平台 CA 签发，证书主题中的 serialNumber 为签署人身份的不可逆标识，不含身份证号码；平台可应司法机关要求确认其对应关系。`,
        '计算文件的 SHA-256 哈希并与本报告所载“最终文件 SHA-256”比对，一致即证明文件自签署后未被改动；“原始文件 SHA-256”为签署前的原始文件。',
        '本报告本身由平台数字签名，报告内容的任何改动都会使该签名失效。',
      // Numbered steps, not 第一条…: these are instructions, not contract clauses.
    ].map((text, i): Block => ({ kind: 'paragraph', text: `${i + 1}. ${text}`, indent: false })),
    { kind: 'signatureAreas', parties: [{ role: '出具方', name: d.platformName, fieldName: REPORT_SIGNATURE_FIELD }] },
  ];
  // Sections are numbered in order, whichever are present (the ledger's only for an IOU).
  let n = 0;
  const numbered = blocks.map((b) => (b.kind === 'heading' ? { ...b, text: `${NUMERALS[n++]}、${b.text.replace(/^[一二三四五六七八九十]、/, '')}` } : b));
  // The number under the title and in the footers is the report's: labelled 报告编号, not 合同编号.
  return { contractNo: d.reportNo, numberLabel: '报告编号', title: '电子合同签署报告', blocks: numbered, metadata: { subject: `签署报告 ${d.contractNo}`, keywords: ['签署报告', 'evidence report'] } };
};
