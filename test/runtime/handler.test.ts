/**
 * The function wrapper (DESIGN "The response envelope"): identity only from the context, the
 * envelope and its codes, a bug answered as INTERNAL with nothing else, every log line JSON with
 * the request id and no ID number, phone or secret in it.
 */
import { Writable } from 'node:stream';
import { createContainer, setContainer, type Container } from '../../shared/runtime/container';
import { createLogger } from '../../shared/runtime/logger';
import { handle } from '../../shared/runtime/handler';
import { scrub, scrubText } from '../../shared/runtime/scrub';
import { person, tempDir } from '../support/emulator';

const lines: string[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    done();
  },
});

let container: Container;
beforeAll(() => {
  container = createContainer({ ESIGN_DATA_DIR: tempDir('handler'), NODE_ENV: 'test' }, { log: createLogger({ level: 'info', destination: sink }) });
  setContainer(container);
});
afterAll(async () => {
  await container.close();
  setContainer(null);
});

const ctx = (openid: string | null) => ({ emulatorCaller: openid ? { openid } : null, requestId: `req-${openid}` });
const schema = { type: 'object', additionalProperties: false, properties: { phone: { type: 'string' }, idNumber: { type: 'string' } } };

describe('identity and envelope', () => {
  const whoAmI = handle('who-am-i', { type: 'object' }, async (_i, c) => ({ openid: c.caller?.openid ?? null }));
  test('the caller comes from the context; payload identity keys are dropped', async () => {
    expect(await whoAmI({ openid: 'o-forged', userInfo: { openId: 'o-forged' } }, ctx('o-real'))).toEqual({ ok: true, data: { openid: 'o-real' }, requestId: 'req-o-real' });
    expect(await whoAmI({ openid: 'o-forged' }, ctx(null))).toMatchObject({ ok: true, data: { openid: null } });
  });
  test('a thrown bug is INTERNAL with the generic message, logged with the request id and scrubbed', async () => {
    const p = person('o-bug', '错误', 30);
    const buggy = handle('buggy', schema, async (i: { phone?: string; idNumber?: string }) => {
      throw new Error(`boom for ${i.phone} / ${i.idNumber}`);
    });
    const r = await buggy({ phone: p.phone, idNumber: p.idNumber }, ctx('o-bug'));
    expect(r).toEqual({ ok: false, error: { code: 'INTERNAL', message: '系统繁忙，请稍后再试' }, requestId: 'req-o-bug' });
    const logged = lines.filter((l) => l.includes('req-o-bug'));
    expect(logged.length).toBeGreaterThan(0);
    expect(JSON.parse(logged[0]!)).toMatchObject({ level: 50, fn: 'buggy', requestId: 'req-o-bug' });
    const all = lines.join('\n');
    expect(all).not.toContain(p.phone);
    expect(all).not.toContain(p.idNumber);
    expect(all).toContain(`${p.phone.slice(0, 3)}****${p.phone.slice(-4)}`);
  });
});

describe('a whole real-name verification leaves no personal data in the logs', () => {
  test('identity-verify with bad and good details', async () => {
    const p = person('o-log', '日志', 33);
    const faceStart = require('../../functions/face-start').main;
    const verify = require('../../functions/identity-verify').main;
    const started = await faceStart({ purpose: 'realname', name: p.name, idNumber: p.idNumber }, ctx(p.openid));
    expect(started.ok).toBe(true);
    const bad = await verify({ name: p.name, idNumber: `${p.idNumber.slice(0, 17)}0`, phone: p.phone, bizToken: started.data.bizToken }, ctx(p.openid));
    expect(['INVALID_ID_NUMBER']).toContain(bad.error.code);
    const good = await verify({ name: p.name, idNumber: p.idNumber, phone: p.phone, bizToken: started.data.bizToken }, ctx(p.openid));
    expect(good.ok).toBe(true);
    const all = lines.join('\n');
    expect(all).not.toContain(p.idNumber);
    expect(all).not.toContain(p.phone);
    expect(all).not.toContain(started.data.bizToken);
    expect(lines.every((l) => JSON.parse(l))).toBe(true);
  });
});

describe('scrub', () => {
  test('masks ID numbers and phones in any text, and named secret fields', () => {
    expect(scrubText('ID 11010119900307803X tel 13912345678 order 1234567890123456789012')).toBe('ID 110101********803X tel 139****5678 order 1234567890123456789012');
    expect(scrub({ user: { phone: '13912345678', name: '张三' }, apiV3Key: 'k', nested: ['13912345678'] })).toEqual({
      user: { phone: '[masked]', name: '张三' }, apiV3Key: '[redacted]', nested: ['139****5678'],
    });
  });
  test('masks phones in the E.164 form the SMS provider uses, also inside lists under any key', () => {
    expect(scrubText('to +8613912345678, 8613912345678 and 13912345678')).toBe('to +86139****5678, 86139****5678 and 139****5678');
    expect(scrub({ request: { PhoneNumberSet: ['+8613912345678', '+8613800000000'] } })).toEqual({ request: { PhoneNumberSet: ['+86139****5678', '+86138****0000'] } });
    // Digits around that are not a phone stay as they are.
    expect(scrubText('serial 2861391234567890 amount 8613')).toBe('serial 2861391234567890 amount 8613');
  });
});
