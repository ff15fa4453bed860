import type { IouDocumentData } from '../../shared/documents/iou-document';

/** A realistic IOU with a 12-instalment plan and supplementary terms (three pages). */
export const sampleIou = (overrides: Partial<IouDocumentData> = {}): IouDocumentData => ({
  contractNo: 'JT20240501000123',
  lender: { name: '张三', maskedIdNumber: '110105********002X', maskedPhone: '138****5678', address: '北京市朝阳区建国路88号' },
  borrower: { name: '李小明', maskedIdNumber: '310101********1234', maskedPhone: '139****4321', address: '上海市黄浦区南京东路100号' },
  amount: { figures: '¥120,000.00', capital: '人民币壹拾贰万元整' },
  purpose: '个人装修房屋',
  borrowDate: '2024-05-01',
  repayDate: '2025-04-30',
  annualRatePercent: '3.85',
  repaymentPlan: Array.from({ length: 12 }, (_, i) => ({
    dueDate: `${i < 8 ? 2024 : 2025}-${String(((i + 4) % 12) + 1).padStart(2, '0')}-30`.replace('-02-30', '-02-28'),
    amount: { figures: '¥10,000.00', capital: '人民币壹万元整' },
    note: i === 11 ? '最后一期，结清本金及剩余利息' : '',
  })),
  supplementary: {
    overdueRatePercent: '5.775',
    paymentMethod: '银行转账，出借人收款账户为招商银行尾号6789的借记卡',
    otherTerms: [
      '借款人以其名下位于上海市黄浦区南京东路100号的房屋装修所购置的家具、家电作为履约保障，在借款本息清偿前不得转让。',
      '借款人如变更工作单位或居住地址，应在变更后七日内通知出借人。',
    ],
  },
  platformName: '个人电子签',
  createdAt: new Date('2024-05-01T02:00:00Z'),
  ...overrides,
});
