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
  /** A later try may succeed (throttling, an outage): the outbox retries only these. */
  retryable?: boolean;
}

export interface Mailer {
  send(message: MailMessage): Promise<MailResult>;
}
