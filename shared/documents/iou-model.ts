/**
 * The IOU (个人借条) as a DocumentModel. Everything arrives pre-computed and pre-masked: money
 * figures and their capital form (大写), masked ID numbers and phones — the money and privacy
 * rules live in shared/rules, not here. This module only words the contract.
 *
 * The clauses follow the Civil Code (民法典 第667–680条) and the Supreme People's Court
 * provisions on private lending (民间借贷司法解释, 2020 revision): a loan between natural persons
 * is formed when the money is provided (第679条); interest not agreed is not owed (第680条);
 * overdue interest follows 司法解释第二十八条.
 *
 * Building the model needs no PDF library: the catalogue's preview text (template-get) comes from
 * it without loading pdf-lib; iou-document.ts adds the renderer.
 */
import { signatureFieldName, type Block, type DocumentModel } from './model';
import { chineseDate } from './template-format';

export interface IouPartyData {
  name: string;
  /** e.g. '110105********002X' (masked by the caller). */
  maskedIdNumber: string;
  /** e.g. '138****5678' (masked by the caller). */
  maskedPhone: string;
  address?: string;
}

export interface IouMoney {
  /** '¥100,000.00' */
  figures: string;
  /** '人民币壹拾万元整' */
  capital: string;
}

export interface IouInstalment {
  /** ISO date 'YYYY-MM-DD'. */
  dueDate: string;
  amount: IouMoney;
  note?: string;
}

export interface IouDocumentData {
  contractNo: string;
  lender: IouPartyData;
  borrower: IouPartyData;
  amount: IouMoney;
  purpose: string;
  /** ISO dates 'YYYY-MM-DD'. */
  borrowDate: string;
  repayDate: string;
  /** Agreed annual rate as a percentage string, e.g. '3.85'; '0' means interest-free. */
  annualRatePercent: string;
  repaymentPlan: readonly IouInstalment[];
  /** Supplementary block (C 区), mandatory above 100,000 CNY (the caller enforces it). */
  supplementary?: {
    /** Overdue annual rate as a percentage string. */
    overdueRatePercent?: string;
    /** How the money is handed over / repaid, e.g. '银行转账至出借人尾号1234的账户'. */
    paymentMethod?: string;
    otherTerms?: readonly string[];
  };
  /** Name of the platform for the notice at the end. */
  platformName?: string;
  /** When the IOU was created (document metadata; keeps re-renders identical). */
  createdAt?: Date;
}

/** '2024-05-01' → '2024年5月1日', as every contract writes a day; anything else is a caller's bug. */
export const formatChineseDate = (iso: string): string => {
  const text = chineseDate(iso);
  if (text === iso) throw new Error(`expected YYYY-MM-DD, got "${iso}"`);
  return text;
};

const isZeroRate = (pct: string) => Number(pct) === 0;

/** The IOU's role keys (templates/iou/template.json) name its signature fields. */
export const LENDER_FIELD = signatureFieldName('lender');
export const BORROWER_FIELD = signatureFieldName('borrower');

export const buildIouDocument = (d: IouDocumentData): DocumentModel => {
  const borrowDate = formatChineseDate(d.borrowDate);
  const repayDate = formatChineseDate(d.repayDate);
  const free = isZeroRate(d.annualRatePercent);
  const overdue = d.supplementary?.overdueRatePercent;
  const platform = d.platformName ?? '本平台';

  const partyRows = (role: string, p: IouPartyData) => [
    role,
    p.name,
    p.maskedIdNumber,
    p.maskedPhone,
    p.address ?? '—',
  ];

  const loanRows: Array<{ key: string; value: string }> = [
    { key: '借款金额', value: `${d.amount.capital}（${d.amount.figures}）` },
    { key: '借款事由', value: d.purpose },
    { key: '借款日期', value: borrowDate },
    { key: '约定还款日期', value: repayDate },
    { key: '借款期限', value: `自${borrowDate}起至${repayDate}止` },
    { key: '约定年利率', value: free ? '不计利息' : `${d.annualRatePercent}%（单利）` },
  ];
  if (overdue !== undefined) loanRows.push({ key: '逾期年利率', value: `${overdue}%` });
  if (d.supplementary?.paymentMethod) loanRows.push({ key: '交付及还款方式', value: d.supplementary.paymentMethod });

  const interestClause = free
    ? '借款利率：本借款不计利息。'
    : `借款利率：借款年利率为${d.annualRatePercent}%，按单利计算，利息自出借人实际交付借款之日起算至借款人实际还清之日止。双方确认，约定利率未超过合同成立时一年期贷款市场报价利率（LPR）的四倍。`;
  const overdueClause =
    overdue !== undefined
      ? `逾期责任：借款人未按还款计划足额还款的，自逾期之日起就逾期未还款项按年利率${overdue}%向出借人支付逾期利息，直至清偿之日止。`
      : free
        ? '逾期责任：借款人未按还款计划足额还款的，出借人有权主张借款人自逾期还款之日起参照当时一年期贷款市场报价利率标准计算的利息承担逾期还款违约责任。'
        : '逾期责任：借款人未按还款计划足额还款的，自逾期之日起就逾期未还款项按本借条约定的借款年利率向出借人支付逾期利息，直至清偿之日止。';

  const clauses = [
    `借款交付：出借人应于${borrowDate}前通过银行转账、微信或支付宝转账等可留存记录的方式向借款人交付借款${d.amount.figures}（${d.amount.capital}）。本借款自出借人实际交付借款时成立，借款人收到借款后应当及时确认。`,
    `借款用途：借款用于${d.purpose}。借款人不得将借款用于赌博、洗钱、非法集资等违法犯罪活动，否则出借人有权提前收回全部借款。`,
    interestClause,
    '还款方式：借款人应按本借条所列还款计划，于各期还款日（含当日）前将当期应还款项足额支付至出借人指定的账户，或以双方认可的其他可留存记录的方式支付。借款人可以提前还款，利息按实际借款期间计算。',
    overdueClause,
    '实现债权的费用：因借款人违约，出借人为实现债权而支出的诉讼费、保全费、公告费、律师费、差旅费等合理费用，由借款人承担。',
    '通知与送达：双方确认本借条载明的手机号码及地址为各自有效的通知和送达地址，同时适用于争议进入诉讼程序后人民法院的送达。一方变更前述信息的，应当及时书面通知对方，未通知的，按原信息送达即视为送达。',
    '电子签署：本借条由双方在经实名认证及人脸识别核验身份后，以可靠的电子签名方式签署。双方确认，依照《中华人民共和国电子签名法》，本借条上的电子签名与手写签名或者盖章具有同等的法律效力；本借条的数据电文形式符合法律、法规要求的书面形式。',
    '争议解决：因本借条引起的或与本借条有关的争议，双方应友好协商解决；协商不成的，任何一方均可向出借人住所地有管辖权的人民法院提起诉讼。',
    '其他：本借条自双方完成电子签署之日起生效，至借款本息全部清偿或经双方确认结清时终止。本借条以电子数据形式保存，双方均可下载，各份具有同等法律效力。',
  ];

  const blocks: Block[] = [
    {
      kind: 'paragraph',
      text: `借款人${d.borrower.name}因${d.purpose}向出借人${d.lender.name}借款${d.amount.capital}（${d.amount.figures}）。双方本着平等自愿、诚实信用的原则，经协商一致，订立本借条，共同遵守。`,
    },
    { kind: 'heading', text: '一、借贷双方' },
    {
      kind: 'table',
      columns: [
        { title: '身份', width: 1.7, align: 'center' },
        { title: '姓名', width: 1.0, align: 'center' },
        { title: '身份证号码', width: 2.2, align: 'center' },
        { title: '手机号码', width: 1.5, align: 'center' },
        { title: '地址', width: 2.3 },
      ],
      rows: [partyRows('出借人（甲方）', d.lender), partyRows('借款人（乙方）', d.borrower)],
    },
    { kind: 'heading', text: '二、借款信息' },
    { kind: 'keyValue', rows: loanRows },
    { kind: 'heading', text: '三、还款计划' },
    {
      kind: 'table',
      columns: [
        { title: '期数', width: 0.8, align: 'center' },
        { title: '还款日期', width: 1.6, align: 'center' },
        { title: '还款金额', width: 1.6, align: 'right' },
        { title: '大写', width: 2.6 },
        { title: '备注', width: 1.6 },
      ],
      rows: d.repaymentPlan.map((p, i) => [
        `第${i + 1}期`,
        formatChineseDate(p.dueDate),
        p.amount.figures,
        p.amount.capital,
        p.note ?? '',
      ]),
    },
    { kind: 'heading', text: '四、借款条款' },
    { kind: 'clauses', clauses },
  ];

  const other = d.supplementary?.otherTerms?.filter((t) => t.trim()) ?? [];
  if (other.length) {
    blocks.push({ kind: 'heading', text: '五、补充条款' });
    blocks.push({ kind: 'clauses', clauses: other, startAt: clauses.length + 1 });
  }

  blocks.push(
    {
      kind: 'paragraph',
      text: '借款人确认：本人已仔细阅读并完全理解本借条全部条款，自愿签署，所借款项及还款计划真实无误。',
      bold: true,
    },
    {
      kind: 'signatureAreas',
      parties: [
        { role: '出借人（甲方）', name: d.lender.name, maskedId: d.lender.maskedIdNumber, fieldName: LENDER_FIELD },
        { role: '借款人（乙方）', name: d.borrower.name, maskedId: d.borrower.maskedIdNumber, fieldName: BORROWER_FIELD },
      ],
    },
    { kind: 'spacer', height: 10 },
    {
      kind: 'paragraph',
      text: `提示：${platform}为电子合同及电子签约服务提供方，不提供借款、贷款服务及相关咨询服务，不是本借条的当事人。签署记录、身份核验记录及数字证书信息可通过${platform}申请出具签署报告。`,
      small: true,
      indent: false,
    },
  );

  return {
    contractNo: d.contractNo,
    title: '借　条',
    blocks,
    metadata: {
      subject: `借条 ${d.contractNo}`,
      keywords: ['借条', 'IOU'],
      createdAt: d.createdAt,
    },
  };
};
