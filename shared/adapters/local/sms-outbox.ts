/**
 * The local SMS provider: nothing leaves the machine; each message is written to the outbox
 * collection with its rendered text, where the emulator serves it (GET /outbox/sms).
 */
import type { Clock } from '../../ports/clock';
import type { Ids } from '../../ports/ids';
import type { Sms, SmsMessage, SmsResult } from '../../ports/sms';
import type { Store } from '../../ports/store';
import { FaultSwitch } from './faults';
import { collectionName } from '../../store/collections';
import { renderSms, smsParamCount } from '../../messages/sms-texts';

export class SmsOutbox implements Sms {
  readonly faults = new FaultSwitch();

  constructor(private readonly store: Store, private readonly clock: Clock, private readonly ids: Ids) {}

  async send(message: SmsMessage): Promise<SmsResult> {
    // As Tencent Cloud answers when throttled: the outbox retries it later.
    if (this.faults.take()) return { ok: false, code: 'LimitExceeded.DeliveryFrequencyLimit', message: 'injected fault (POST /_emulator/faults)', retryable: true };
    // Refused as Tencent Cloud SMS refuses it, so a wrong parameter list shows here, not in production.
    if (message.params.length !== smsParamCount(message.template)) {
      return { ok: false, code: 'FailedOperation.TemplateParamSetNotMatchApprovedTemplate', message: `${message.template} takes ${smsParamCount(message.template)} parameters, got ${message.params.length}` };
    }
    const serialNo = this.ids.id('sms');
    await this.store.insert(collectionName('sms'), {
      _id: serialNo,
      phone: message.phone,
      template: message.template,
      params: message.params,
      text: renderSms(message.template, message.params),
      createdAt: this.clock.now().toISOString(),
    });
    return { ok: true, serialNo };
  }
}
