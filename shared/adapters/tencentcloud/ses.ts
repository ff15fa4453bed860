/**
 * The Mailer port on Tencent Cloud SES, API 2020-10-02 SendEmail
 * (https://cloud.tencent.com/document/api/1288/51034). Sending requires an approved template
 * ("如您未申请过特殊配置，则该字段为必填"; plain Simple bodies are deprecated), so the message text
 * goes in as the template variable {{text}}; the subject is sent as Subject. Attachments are
 * base64 and limited to 4 MB in total (the request may not exceed 8 MB), checked before sending.
 */
import { Client as SesClient } from 'tencentcloud-sdk-nodejs/tencentcloud/services/ses/v20201002/ses_client';
import type { MailMessage, MailResult, Mailer } from '../../ports/mailer';
import { providerFailure } from './api-errors';
import { sdkClientConfig, type TencentApiSettings } from './client-options';

export interface SesSettings {
  /** "别名 <noreply@mail.example.com>" or a bare address of a verified sender domain. */
  from: string;
  /** Approved template whose body contains {{text}}. */
  templateId: number;
  /** SES runs in ap-guangzhou and ap-hongkong. */
  region: string;
  replyTo?: string;
}

export const MAX_ATTACHMENT_BYTES = 4 * 1024 * 1024;

export class SesMailer implements Mailer {
  private client: SesClient | undefined;

  constructor(private readonly api: TencentApiSettings, private readonly settings: SesSettings) {}

  private get ses(): SesClient {
    return (this.client ??= new SesClient(sdkClientConfig('ses', this.api, this.settings.region)));
  }

  async send(message: MailMessage): Promise<MailResult> {
    const attachments = message.attachments ?? [];
    const total = attachments.reduce((n, a) => n + a.content.length, 0);
    if (total > MAX_ATTACHMENT_BYTES) return { ok: false, code: 'AttachmentTooLarge', message: `attachments are ${total} bytes; SES accepts 4 MB` };
    try {
      const r = await this.ses.SendEmail({
        FromEmailAddress: this.settings.from,
        Destination: [message.to],
        Subject: message.subject,
        ...(this.settings.replyTo ? { ReplyToAddresses: this.settings.replyTo } : {}),
        Template: { TemplateID: this.settings.templateId, TemplateData: JSON.stringify({ text: message.text }) },
        ...(attachments.length ? { Attachments: attachments.map((a) => ({ FileName: a.filename, Content: a.content.toString('base64') })) } : {}),
        TriggerType: 1,
      });
      return { ok: true, ...(r.MessageId ? { messageId: r.MessageId } : {}) };
    } catch (e) {
      const f = providerFailure('ses', e);
      // Throttling and outages may pass later; a refused address or template will not.
      const retryable = /^(InternalError|RequestLimitExceeded|LimitExceeded|NetworkError|ResourceUnavailable)/.test(f.providerCode) || /^HTTP5/.test(f.providerCode);
      return { ok: false, code: f.providerCode, message: f.providerMessage, retryable };
    }
  }
}
