/**
 * SMS, API 2021-01-11 SendSms (https://cloud.tencent.com/document/api/382/55981): the console's
 * application (SmsSdkAppId), approved signatures and templates, E.164 numbers, and a status per
 * number (`Code: "Ok"` when sent). A template's parameter count must match the approved template.
 * Tests can make a number fail (`failNumber`) the way a carrier limit does.
 */
import { randomUUID } from 'node:crypto';
import { ApiError, type ApiService, type Params } from './server';

export interface SentSms {
  phone: string;
  templateId: string;
  params: string[];
  signName: string;
  text: string;
  serialNo: string;
}

export class SmsFake {
  readonly sent: SentSms[] = [];
  private readonly failing = new Map<string, { code: string; message: string }>();

  constructor(
    private readonly sdkAppId: string,
    private readonly signNames: ReadonlySet<string>,
    /** Approved template id → its text with {1}, {2}… */
    private readonly templates: ReadonlyMap<string, string>,
  ) {}

  failNumber(e164: string, code = 'LimitExceeded.PhoneNumberDailyLimit', message = '单个手机号日下发短信条数超过设定的上限'): void {
    this.failing.set(e164, { code, message });
  }

  service(): ApiService {
    return { version: '2021-01-11', actions: { SendSms: (p) => this.send(p) } };
  }

  private send(p: Params): Params {
    if (p.SmsSdkAppId !== this.sdkAppId) throw new ApiError('UnauthorizedOperation.SmsSdkAppIdVerifyFail', 'SmsSdkAppId 校验失败');
    const template = this.templates.get(String(p.TemplateId ?? ''));
    if (template === undefined) throw new ApiError('FailedOperation.TemplateIncorrectOrUnapproved', '模板未审批或内容不匹配');
    if (!this.signNames.has(String(p.SignName ?? ''))) throw new ApiError('FailedOperation.SignatureIncorrectOrUnapproved', '签名未审批或格式错误');
    const numbers = p.PhoneNumberSet;
    if (!Array.isArray(numbers) || numbers.length === 0 || numbers.length > 200) throw new ApiError('InvalidParameterValue.IncorrectPhoneNumber', 'PhoneNumberSet must hold 1 to 200 numbers');
    const params = (p.TemplateParamSet ?? []) as unknown[];
    const wanted = new Set(template.match(/\{\d+\}/g) ?? []).size;
    if (!Array.isArray(params) || params.length !== wanted || params.some((x) => typeof x !== 'string')) {
      throw new ApiError('FailedOperation.TemplateParamSetNotMatchApprovedTemplate', '请求内容与审核通过的模板内容不匹配');
    }
    const text = template.replace(/\{(\d+)\}/g, (_, n: string) => String(params[Number(n) - 1] ?? ''));
    return {
      SendStatusSet: numbers.map((n: unknown) => {
        const phone = String(n);
        const base = { PhoneNumber: phone, SessionContext: String(p.SessionContext ?? ''), IsoCode: 'CN' };
        if (!/^\+86(1\d{10})$/.test(phone)) return { ...base, SerialNo: '', Fee: 0, Code: 'InvalidParameterValue.IncorrectPhoneNumber', Message: '手机号格式错误' };
        const failure = this.failing.get(phone);
        if (failure) return { ...base, SerialNo: '', Fee: 0, Code: failure.code, Message: failure.message };
        const serialNo = `2019:${randomUUID()}`;
        this.sent.push({ phone, templateId: String(p.TemplateId), params: params as string[], signName: String(p.SignName), text: `【${String(p.SignName)}】${text}`, serialNo });
        return { ...base, SerialNo: serialNo, Fee: 1, Code: 'Ok', Message: 'send success' };
      }),
    };
  }
}
