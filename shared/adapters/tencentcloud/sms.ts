/**
 * The Sms port on Tencent Cloud SMS, API 2021-01-11 SendSms
 * (https://cloud.tencent.com/document/api/382/55981): one template per notification kind, the
 * message's params as TemplateParamSet, numbers in E.164 (+86…). The request succeeds as a whole
 * but each number has its own status: only `Code === "Ok"` was sent.
 *
 * Every attempt — sent or not — is written to the SMS log collection (sms_outbox) with the
 * provider's serial number or error code, so support can answer "did they get it?" and failures
 * can be retried (`retryable` marks throttling and outages, not a bad number or template).
 */
import { Client as SmsClient } from 'tencentcloud-sdk-nodejs/tencentcloud/services/sms/v20210111/sms_client';
import type { Clock } from '../../ports/clock';
import type { Ids } from '../../ports/ids';
import type { Sms, SmsMessage, SmsResult, SmsTemplate } from '../../ports/sms';
import type { Store } from '../../ports/store';
import { renderSms } from '../../messages/sms-texts';
import { collectionName } from '../../store/collections';
import { providerFailure } from './api-errors';
import { sdkClientConfig, type TencentApiSettings } from './client-options';
import { isThrottled } from './provider-error';

export interface SmsSettings {
  /** SmsSdkAppId of the SMS application. */
  sdkAppId: string;
  /** The approved signature (签名内容), required for mainland numbers. */
  signName: string;
  /** Approved template id per notification kind. */
  templateIds: Partial<Record<SmsTemplate, string>>;
}

export interface SmsLogEntry {
  _id: string;
  phone: string;
  template: SmsTemplate;
  params: string[];
  text: string;
  status: 'sent' | 'failed';
  serialNo: string | null;
  code: string | null;
  message: string | null;
  retryable: boolean;
  attempts: number;
  createdAt: string;
}

const retryable = (code: string): boolean =>
  isThrottled(code) || code.startsWith('LimitExceeded') || code.startsWith('InternalError') || code === 'NetworkError' || /^HTTP5/.test(code);

const e164 = (phone: string): string => (phone.startsWith('+') ? phone : `+86${phone}`);

export class TencentSms implements Sms {
  private client: SmsClient | undefined;

  constructor(
    private readonly api: TencentApiSettings,
    private readonly settings: SmsSettings,
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ids: Ids,
  ) {}

  private get sms(): SmsClient {
    return (this.client ??= new SmsClient(sdkClientConfig('sms', this.api)));
  }

  async send(message: SmsMessage): Promise<SmsResult> {
    const delivered = await this.deliver(message);
    const outcome: SmsResult = delivered.ok ? delivered : { ...delivered, retryable: retryable(delivered.code ?? '') };
    await this.store.insert(collectionName('sms'), {
      _id: this.ids.id('sms'),
      phone: message.phone,
      template: message.template,
      params: message.params,
      text: renderSms(message.template, message.params),
      status: outcome.ok ? 'sent' : 'failed',
      serialNo: outcome.serialNo ?? null,
      code: outcome.code ?? null,
      message: outcome.message ?? null,
      retryable: !outcome.ok && retryable(outcome.code ?? ''),
      attempts: 1,
      createdAt: this.clock.now().toISOString(),
    } satisfies SmsLogEntry);
    return outcome;
  }

  private async deliver(message: SmsMessage): Promise<SmsResult> {
    const templateId = this.settings.templateIds[message.template];
    if (!templateId) return { ok: false, code: 'TemplateNotConfigured', message: `no SMS template id for ${message.template}` };
    try {
      const r = await this.sms.SendSms({
        PhoneNumberSet: [e164(message.phone)],
        SmsSdkAppId: this.settings.sdkAppId,
        SignName: this.settings.signName,
        TemplateId: templateId,
        TemplateParamSet: message.params,
      });
      const status = r.SendStatusSet?.[0];
      if (status?.Code === 'Ok') return { ok: true, ...(status.SerialNo ? { serialNo: status.SerialNo } : {}) };
      return { ok: false, code: status?.Code ?? 'NoSendStatus', message: status?.Message ?? 'SendSms returned no status for the number' };
    } catch (e) {
      const f = providerFailure('sms', e);
      return { ok: false, code: f.providerCode, message: f.providerMessage };
    }
  }
}
