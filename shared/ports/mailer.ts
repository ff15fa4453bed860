/** Email with attachments (Tencent Cloud SES SendEmail in production; a readable outbox locally). */
export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  attachments?: MailAttachment[];
}

export interface MailResult {
  ok: boolean;
  messageId?: string;
  code?: string;
  message?: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<MailResult>;
}
