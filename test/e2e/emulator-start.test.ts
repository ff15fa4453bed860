/**
 * The emulator is the product's front door: when it cannot start it says why in one sentence and
 * exits non-zero — no stack trace.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { tempDir } from '../support/emulator';

const start = (env: Record<string, string>) =>
  spawnSync(process.execPath, [require.resolve('tsx/cli'), path.join(__dirname, '../../emulator/main.ts')], {
    env: { ...process.env, ESIGN_LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });

test('a port already in use: a clear message and exit code 1', async () => {
  const holder = net.createServer();
  await new Promise<void>((r) => holder.listen(0, '127.0.0.1', () => r()));
  const port = (holder.address() as net.AddressInfo).port;
  try {
    const r = start({ PORT: String(port), ESIGN_DATA_DIR: tempDir('port') });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(`端口 ${port} 已被占用 / port ${port} is already in use. Stop the other process or set PORT to a free port.`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  } finally {
    holder.close();
  }
});

test('a data directory that cannot be written: a clear message and exit code 1', () => {
  const file = path.join(tempDir('datadir'), 'not-a-dir');
  fs.writeFileSync(file, 'x');
  const r = start({ PORT: '0', ESIGN_DATA_DIR: path.join(file, 'data') });
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('数据目录不可写 / data directory is not writable');
  expect(r.stderr).toContain('Set ESIGN_DATA_DIR to a writable folder.');
  expect(r.stderr).not.toMatch(/\n\s+at /);
});

test('an invalid PORT is refused before anything starts', () => {
  const r = start({ PORT: 'eighty', ESIGN_DATA_DIR: tempDir('badport') });
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('PORT 无效 / invalid PORT: eighty');
});

test('the request log names the path only: no phone, email address or download signature from a query', async () => {
  const { startEmulator } = await import('../../emulator/server');
  const lines: string[] = [];
  const spy = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
  const emu = await startEmulator({ port: 0, dataDir: tempDir('log'), timers: false, verbose: true, env: { NODE_ENV: 'test', ESIGN_LOG_LEVEL: 'silent' } });
  try {
    await fetch(`${emu.url}/outbox/sms?phone=13912345678`);
    await fetch(`${emu.url}/outbox/email?to=wang@example.com`);
    const logged = lines.join('\n');
    expect(logged).toContain('GET /outbox/sms → 200');
    expect(logged).toContain('GET /outbox/email → 200');
    expect(logged).not.toMatch(/13912345678|wang@example\.com|\?/);
  } finally {
    spy.mockRestore();
    await emu.close();
  }
});
