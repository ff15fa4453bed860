import schema from '../../../schemas/templates/iou.json';
import { checkIou, type IouForm } from '../../rules/iou';
import { IOU_AGE } from '../../rules/limits';
import type { KindSpec } from './kind';

/** 个人借条 (SPEC I1–I9): lender 出借人 / borrower 借款人; the initiator pays and signs first. */
export const IOU: KindSpec = {
  kind: 'iou',
  title: '借条',
  numberPrefix: 'JT',
  roles: ['lender', 'borrower'],
  roleLabels: { lender: '出借人', borrower: '借款人' },
  flowFor: () => 'iou',
  ageRange: IOU_AGE,
  formSchema: schema,
  checkForm: (form, ctx) => {
    const applied = checkIou(form as unknown as IouForm, ctx);
    return { lprBp: applied.lprBp, capBp: applied.capBp };
  },
  mainlandOnly: true,
};
