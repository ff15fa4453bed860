/**
 * N1: the local SMS outbox holds what a user would receive, and refuses what Tencent Cloud SMS
 * would refuse — a parameter list that does not match the template — so such a bug fails locally.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FixedClock } from '../../shared/adapters/local/clock';
import { RandomIds } from '../../shared/adapters/local/ids';
import { SmsOutbox } from '../../shared/adapters/local/sms-outbox';
import { openSqliteStore } from '../../shared/adapters/local/sqlite-store';
import { SMS_TEXTS, smsParamCount } from '../../shared/messages/sms-texts';
import type { SmsTemplate } from '../../shared/ports/sms';
import type { Store } from '../../shared/ports/store';

let store: Store;
let outbox: SmsOutbox;
beforeAll(() => {
  store = openSqliteStore(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'esign-sms-')), 'db.sqlite'));
  outbox = new SmsOutbox(store, new FixedClock(new Date('2026-11-29T02:00:00Z')), new RandomIds());
});
afterAll(() => store.close());

const sent = () => store.find('sms_outbox', {}, { limit: 100 });

test('every template numbers its parameters {1}…{n} without a gap', () => {
  for (const [template, text] of Object.entries(SMS_TEXTS)) {
    const used = [...new Set(text.match(/\{(\d+)\}/g))].map((p) => Number(p.slice(1, -1))).sort((a, b) => a - b);
    expect([template, used]).toEqual([template, used.map((_, i) => i + 1)]);
  }
});

test('a message with its template\'s parameters is stored with the text the user reads', async () => {
  const r = await outbox.send({ phone: '13900000001', template: 'report_sent', params: ['借条'] });
  expect(r.ok).toBe(true);
  expect((await sent()).map((m) => [m.phone, m.template, m.text])).toEqual([['13900000001', 'report_sent', '您申请的《借条》出证报告已发送至您填写的邮箱，请注意查收。']]);
});

test.each([
  ['one too many', 'expired', ['借条', '1月2日', '']],
  ['one too few', 'urge', ['张三', '借条']],
] as Array<[string, SmsTemplate, string[]]>)('%s is refused as the provider refuses it, and nothing is stored', async (_, template, params) => {
  const before = (await sent()).length;
  expect(params.length).not.toBe(smsParamCount(template));
  expect(await outbox.send({ phone: '13900000002', template, params })).toMatchObject({ ok: false, code: 'FailedOperation.TemplateParamSetNotMatchApprovedTemplate' });
  expect((await sent()).length).toBe(before);
});
