/**
 * SES, API 2020-10-02 SendEmail (https://cloud.tencent.com/document/api/1288/51034): regions
 * ap-guangzhou and ap-hongkong only, a verified sender, an approved template filled from
 * TemplateData (JSON), at most 50 recipients, and base64 attachments of at most 4 MB in total.
 */
import { randomUUID } from 'node:crypto';
import { ApiError, type ApiService, type Params } from './server';

export interface SentMail {
  from: string;
  to: string[];
  subject: string;
  templateId: number;
  body: string;
  attachments: Array<{ filename: string; content: Buffer }>;
  messageId: string;
}

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;
const REGIONS = new Set(['ap-guangzhou', 'ap-hongkong']);
const MAX_ATTACHMENTS = 4 * 1024 * 1024;

export class SesFake {
  readonly sent: SentMail[] = [];

  constructor(
    private readonly senderDomains: ReadonlySet<string>,
    /** Template id → body with {{variables}}. */
    private readonly templates: ReadonlyMap<number, string>,
  ) {}

  service(): ApiService {
    return { version: '2020-10-02', actions: { SendEmail: (p, ctx) => this.send(p, ctx.region) } };
  }

  private send(p: Params, region: string | undefined): Params {
    if (!region || !REGIONS.has(region)) throw new ApiError('UnsupportedRegion', `SES is not available in ${String(region)}.`);
    const from = String(p.FromEmailAddress ?? '');
    const address = /<([^>]+)>\s*$/.exec(from)?.[1] ?? from;
    if (!EMAIL.test(address) || !this.senderDomains.has(address.split('@')[1]!)) throw new ApiError('FailedOperation.NotAuthenticatedSender', '发件 sender 没有经过认证，无法发送');
    const to = p.Destination;
    if (!Array.isArray(to) || to.length === 0 || to.length > 50 || to.some((a) => typeof a !== 'string' || !EMAIL.test(a))) throw new ApiError('InvalidParameterValue.IncorrectEmail', '收件人邮箱格式错误');
    const template = p.Template as { TemplateID?: unknown; TemplateData?: unknown } | undefined;
    const body = this.templates.get(Number(template?.TemplateID));
    if (!template || body === undefined) throw new ApiError('FailedOperation.TemplateContentIsNULL', '模板不存在或未审核通过');
    let data: Record<string, unknown>;
    try {
      data = JSON.parse(String(template.TemplateData ?? '{}')) as Record<string, unknown>;
    } catch {
      throw new ApiError('InvalidParameterValue.TemplateDataError', 'TemplateData 不是合法的 JSON');
    }
    const attachments = ((p.Attachments ?? []) as Array<{ FileName?: unknown; Content?: unknown }>).map((a) => {
      if (typeof a.FileName !== 'string' || typeof a.Content !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(a.Content)) throw new ApiError('InvalidParameterValue.AttachContentIsWrong', '附件内容错误');
      return { filename: a.FileName, content: Buffer.from(a.Content, 'base64') };
    });
    if (attachments.reduce((n, a) => n + a.content.length, 0) > MAX_ATTACHMENTS) throw new ApiError('FailedOperation.ExceedAttachmentSize', '附件总大小超过 4M');
    const messageId = `<${randomUUID()}@qcloudmail.com>`;
    this.sent.push({
      from,
      to: to as string[],
      subject: String(p.Subject ?? ''),
      templateId: Number(template.TemplateID),
      body: body.replace(/\{\{(\w+)\}\}/g, (_, k: string) => String(data[k] ?? '')),
      attachments,
      messageId,
    });
    return { MessageId: messageId };
  }
}
