/**
 * README true (issue 18, item 5): every `curl` line of README.md that calls the emulator is run as
 * written — only `localhost:8787` is pointed at this test's emulator — with the real curl, and the
 * answer must have the status (and error code) its `# →` comment promises. A line without that
 * comment fails the test, so an example cannot be added unchecked.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { startTestEmulator } from '../support/emulator';
import type { Emulator } from '../../emulator/server';

const README = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');

interface Example {
  line: string;
  command: string;
  status: number;
  code: string | null;
}

/** Every curl line of every ```sh block, with its promised status and code. */
export const readmeExamples = (text: string): Example[] => {
  const out: Example[] = [];
  for (const block of text.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of block[1]!.split('\n')) {
      if (!line.startsWith('curl ')) continue;
      const m = /^(curl .*?)\s+#\s*→\s*(\d{3})(?:\s+([A-Z_]{3,}))?/.exec(line);
      if (!m) throw new Error(`README example without "# → <status>": ${line}`);
      out.push({ line, command: m[1]!, status: Number(m[2]), code: m[3] ?? null });
    }
  }
  return out;
};

let emu: Emulator;
beforeAll(async () => {
  ({ emu } = await startTestEmulator('readme'));
});
afterAll(() => emu.close());

const examples = readmeExamples(README);

test('README has examples for the calls and the emulator controls it names', () => {
  expect(examples.length).toBeGreaterThanOrEqual(20);
  // Every `GET /…` or `POST /…` README names has a runnable line (webhooks are WeChat Pay's, signed).
  const named = [...README.matchAll(/`(?:GET|POST) (\/[a-z_]+(?:\/[a-z_-]+)*)/g)].map((m) => m[1]!).filter((r) => !r.startsWith('/webhooks'));
  expect(named.length).toBeGreaterThan(5);
  expect(named.filter((route) => !examples.some((e) => e.command.includes(`localhost:8787${route}`)))).toEqual([]);
});

// Asynchronous: the emulator answers from this same process, so a blocking spawn would hang it.
const run = promisify(execFile);

test.each(examples.map((e) => [e.line, e]))('%s', async (_line, e) => {
  const host = emu.url.replace('http://', '');
  const command = `${e.command.replaceAll('localhost:8787', host)} -w '\\n%{http_code}'`;
  const r = await run('bash', ['-c', command], { encoding: 'utf8', timeout: 20_000, maxBuffer: 64 * 1024 * 1024 });
  const lines = r.stdout.trimEnd().split('\n');
  const status = Number(lines.pop());
  const body = JSON.parse(lines.join('\n'));
  expect({ status, code: body.error?.code ?? null }).toEqual({ status: e.status, code: e.code ?? (e.status >= 400 ? body.error?.code : null) });
  if ('ok' in body || e.status >= 400) expect(body.ok).toBe(e.status < 400);
});
