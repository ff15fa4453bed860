/**
 * The local email provider: nothing leaves the machine. Each message is written to the outbox
 * collection and its attachments to file storage, where the emulator serves both
 * (GET /outbox/email, GET /outbox/email/<id>/<n>) so a developer can open the PDF that was "sent".
 */
import { FaultSwitch } from './faults';
import type { Clock } from '../../ports/clock';
import type { FileStorage } from '../../ports/files';
import type { Ids } from '../../ports/ids';
import type { Mailer, MailMessage, MailResult } from '../../ports/mailer';
import type { Doc, Store } from '../../ports/store';
import { collectionName } from '../../store/collections';

export interface StoredEmail extends Doc {
  to: string;
  subject: string;
  text: string;
  attachments: Array<{ filename: string; contentType: string; size: number; fileKey: string }>;
  createdAt: string;
}

export const EMAIL_OUTBOX = collectionName('emails');

export class MailOutbox implements Mailer {
  readonly faults = new FaultSwitch();

  constructor(private readonly store: Store, private readonly files: FileStorage, private readonly clock: Clock, private readonly ids: Ids) {}

  async send(message: MailMessage): Promise<MailResult> {
    if (this.faults.take()) return { ok: false, code: 'RequestLimitExceeded', message: 'injected fault (POST /_emulator/faults)', retryable: true };
    const id = this.ids.id('mail');
    const attachments = [];
    for (const [n, a] of (message.attachments ?? []).entries()) {
      const fileKey = `outbox/email/${id}/${n}`;
      await this.files.put(fileKey, a.content, a.contentType);
      attachments.push({ filename: a.filename, contentType: a.contentType, size: a.content.length, fileKey });
    }
    const doc: StoredEmail = { _id: id, to: message.to, subject: message.subject, text: message.text, attachments, createdAt: this.clock.now().toISOString() };
    await this.store.insert(EMAIL_OUTBOX, doc);
    return { ok: true, messageId: id };
  }
}
