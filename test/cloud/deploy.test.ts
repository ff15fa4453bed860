/**
 * The deployment agrees with the code: serverless.yml (as the Serverless Cloud Framework reads it),
 * the function folders, the function registry and the bundles `npm run build` writes.
 *
 * - serverless.yml is what renderServerlessYml() makes of the registry, byte for byte (a stale
 *   file names the command that regenerates it);
 * - every function has its entry, handler (a bundle that exports `main`), memory and timeout; the
 *   timers their 7-field cron; the payment webhook a public function URL; every function the same
 *   environment, by reference only: no value of a setting is in the file;
 * - every environment variable the cloud provider reads is deployed or named as not deployed
 *   with a reason, and docs/DEPLOY.md lists them all;
 * - the bundles (built once here, into a temporary directory): requiring one does no I/O, only
 *   the PDF functions carry pdf-lib and fontkit, no bundle carries a Tencent Cloud or WeChat
 *   Pay client its function never calls, each function's declaration in the registry (`ports`,
 *   `pdf`) is what the code in its bundle calls and carries, and the bundles run: a plain one and a PDF one (fonts from
 *   the build output's _fonts/) answer on the production adapters against the protocol fakes.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { buildAll, DEPLOY_FIXED, DEPLOY_SETTINGS, NOT_DEPLOYED, renderServerlessYml, WATCH_IO_JS, type BundleReport } from '../../scripts/build';
import { FUNCTIONS, PROVIDER_PORTS, type ProviderPort } from '../../shared/runtime/registry';
import { loadConfig } from '../../shared/runtime/config';
import { loadWechatPayConfig } from '../../shared/adapters/wechatpay/config';
import { startEmulator } from '../../emulator/server';
import { Client, iouForm, person, startCloudEmulation, tempDir } from '../support/emulator';

const ROOT = path.resolve(__dirname, '..', '..');
const REGENERATE = 'npm run build:serverless';
const YML_TEXT = fs.readFileSync(path.join(ROOT, 'serverless.yml'), 'utf8');
const yml = YAML.parse(YML_TEXT, { maxAliasCount: -1 }) as {
  component: string;
  inputs: {
    src: { src: string };
    runtime: string;
    functions: Record<string, { name: string; handler: string; memorySize: number; timeout: number; environment: Array<{ key: string; value: string }> }>;
    triggers: Array<{ type: string; function: string; parameters: Record<string, any> }>;
  };
};
const names = FUNCTIONS.map((f) => f.name).sort();

describe('serverless.yml', () => {
  test('is what the registry renders (else it is stale)', () => {
    const verdict = YML_TEXT === renderServerlessYml() ? 'up to date' : `serverless.yml is stale: regenerate it with \`${REGENERATE}\` and commit it`;
    expect(verdict).toBe('up to date');
  });

  test('functions/, the registry and serverless.yml name the same functions', () => {
    const folders = fs.readdirSync(path.join(ROOT, 'functions')).filter((d) => fs.existsSync(path.join(ROOT, 'functions', d, 'index.ts'))).sort();
    expect(folders).toEqual(names);
    expect(Object.keys(yml.inputs.functions).sort()).toEqual(names);
    expect(yml.component).toBe('multi-scf');
    expect(yml.inputs.src.src).toBe('./dist/functions');
    expect(yml.inputs.runtime).toMatch(/^Nodejs20\./);
  });

  test.each(FUNCTIONS.map((f) => [f.name, f] as const))('%s: pinned name, handler in the build output, memory and timeout', (name, spec) => {
    const fn = yml.inputs.functions[name]!;
    expect(fn).toMatchObject({ name, handler: `${name}/index.main`, memorySize: spec.memoryMb, timeout: spec.timeoutS });
    // SCF: 64 or 128–3072 MB in steps of 128; 1–900 s.
    expect(fn.memorySize === 64 || (fn.memorySize % 128 === 0 && fn.memorySize >= 128 && fn.memorySize <= 3072)).toBe(true);
    expect(fn.timeout).toBeGreaterThanOrEqual(1);
    expect(fn.timeout).toBeLessThanOrEqual(900);
  });

  test('every timer has one timer trigger with its 7-field cron; nothing else has one', () => {
    const timers = yml.inputs.triggers.filter((t) => t.type === 'timer');
    const specs = FUNCTIONS.filter((f) => f.kind === 'timer');
    expect(timers.map((t) => t.function).sort()).toEqual(specs.map((f) => f.name).sort());
    const field = /^(\*|\d+(-\d+)?(,\d+(-\d+)?)*|(\*|\d+)\/\d+)$/;
    const ranges: Array<[number, number]> = [[0, 59], [0, 59], [0, 23], [1, 31], [1, 12], [0, 6], [1970, 2099]];
    for (const spec of specs) {
      const t = timers.find((x) => x.function === spec.name)!;
      expect(t.parameters).toMatchObject({ name: spec.name, cronExpression: spec.schedule, enable: true });
      const fields = String(t.parameters.cronExpression).split(' ');
      expect(fields).toHaveLength(7);
      fields.forEach((f, i) => {
        expect(f).toMatch(field);
        for (const n of f.split(/[^\d]+/).filter(Boolean).map(Number)) {
          if (f.includes('/') && f.endsWith(`/${n}`)) continue; // a step, not a value
          expect(n).toBeGreaterThanOrEqual(ranges[i]![0]);
          expect(n).toBeLessThanOrEqual(ranges[i]![1]);
        }
      });
    }
  });

  test('the payment webhook is on a public function URL; no other HTTP entry, no API gateway', () => {
    const webhooks = FUNCTIONS.filter((f) => f.kind === 'webhook').map((f) => f.name);
    expect(webhooks).toContain('payment-notify');
    const http = yml.inputs.triggers.filter((t) => t.type === 'http');
    expect(http.map((t) => t.function).sort()).toEqual(webhooks.sort());
    for (const t of http) expect(t.parameters).toMatchObject({ qualifier: '$DEFAULT', authType: 'NONE', netConfig: { enableExtranet: true, enableIntranet: false } });
    expect(yml.inputs.triggers.map((t) => t.type).filter((type) => type !== 'timer' && type !== 'http')).toEqual([]);
  });

  test('every function gets the same environment, by name only: no value is in the file', () => {
    const expected = [...Object.keys(DEPLOY_FIXED), ...DEPLOY_SETTINGS];
    for (const name of names) {
      const env = yml.inputs.functions[name]!.environment;
      expect(env.map((e) => e.key)).toEqual(expected);
      for (const { key, value } of env) expect(value).toBe(DEPLOY_FIXED[key] ?? `\${env:${key}}`);
    }
    expect(Object.keys(NOT_DEPLOYED).filter((k) => expected.includes(k))).toEqual([]);
    // Nothing that looks like a key, a certificate or a secret id anywhere in the file.
    expect(YML_TEXT).not.toMatch(/BEGIN [A-Z ]*(KEY|CERTIFICATE)|AKID[0-9A-Za-z]{8,}|PUB_KEY_ID_\d/);
  });
});

/** Every variable the cloud composition reads, observed by running its loaders on a recording environment. */
const variablesRead = (): Set<string> => {
  const read = new Set<string>();
  const recording = (withheld: string[]) =>
    new Proxy({} as Record<string, string | undefined>, {
      get: (_t, k) => {
        if (typeof k !== 'string') return undefined;
        read.add(k);
        if (withheld.includes(k)) return undefined;
        if (k === 'ESIGN_PROVIDER') return 'cloud';
        if (k.endsWith('_IDS')) return '{}';
        if (/_(ID|MINUTES|BATCH|SECONDS)$/.test(k) || k.endsWith('TEMPLATE_ID')) return '1';
        return 'x';
      },
    });
  for (const withheld of [[], ['ESIGN_TC_SECRET_ID', 'ESIGN_TC_SECRET_KEY', 'ESIGN_TCB_ENV', 'TCB_ENV', 'ESIGN_LOG_LEVEL']]) {
    const env = recording(withheld);
    const config = loadConfig(env);
    config.cloud!.apiCredentials();
    try {
      loadWechatPayConfig(env);
    } catch {
      // 'x' is no key: the loader has read every variable by the time it refuses.
    }
  }
  return read;
};

/** Names read as `env.NAME` (or destructured from env) in a source file. */
const namesInSource = (file: string): string[] => {
  const src = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const found = new Set<string>();
  for (const m of src.matchAll(/\benv\.([A-Z][A-Z0-9_]+)/g)) found.add(m[1]!);
  for (const m of src.matchAll(/\{([^{}]*)\}\s*=\s*env\b/g)) for (const n of m[1]!.matchAll(/\b([A-Z][A-Z0-9_]+)\s*:/g)) found.add(n[1]!);
  return [...found];
};

describe('environment variables', () => {
  const read = variablesRead();

  test('the recording saw every variable the sources name (so the check below is complete)', () => {
    expect(namesInSource('shared/runtime/config.ts').filter((n) => !read.has(n))).toEqual([]);
    expect(read.has('WECHATPAY_MERCHANT_PRIVATE_KEY')).toBe(true);
  });

  test('each one the cloud provider reads is deployed, or named as not deployed with a reason', () => {
    const deployed = new Set<string>([...Object.keys(DEPLOY_FIXED), ...DEPLOY_SETTINGS]);
    expect([...read].filter((n) => !deployed.has(n) && !NOT_DEPLOYED[n]).sort()).toEqual([]);
    // And neither list names a variable nothing reads.
    expect([...deployed, ...Object.keys(NOT_DEPLOYED)].filter((n) => !read.has(n)).sort()).toEqual([]);
  });

  test('docs/DEPLOY.md lists every one, and the setup command\'s', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'DEPLOY.md'), 'utf8');
    const all = new Set([...read, ...namesInSource('scripts/setup-cloudbase.ts'), 'STAGE']);
    expect([...all].filter((n) => !doc.includes(`\`${n}\``)).sort()).toEqual([]);
    expect(doc).toContain('npm run setup:cloud');
    expect(doc).toContain(REGENERATE);
  });
});

/**
 * The provider ports our own code in a bundle calls, read from its sources: `face.start(`,
 * `sms.send(`, … or a port destructured from deps (`{ sms } = deps`). The adapters are the
 * callees, not callers; stand-ins and packages are not our code.
 */
const PORT_CALLS: Record<ProviderPort, RegExp> = {
  face: /\bface\s*\.\s*(start|result)\s*\(/,
  sms: /\bsms\s*\.\s*send\s*\(/,
  mailer: /\bmailer\s*\.\s*send\s*\(/,
  payments: /\bpayments\s*\.\s*(createOrder|queryOrder|closeOrder|refund|refreshPlatformKeys|notificationKeys|notificationKind|parseNotification|parseRefundNotification|notificationAnswer)\s*\(/,
};
const DESTRUCTURED = /\{([^{}]*)\}\s*=\s*[\w.]*\bdeps\b/g;
const portsCalledIn = (sources: string[]): ProviderPort[] => {
  const used = new Set<ProviderPort>();
  for (const src of sources) {
    for (const port of PROVIDER_PORTS) if (PORT_CALLS[port].test(src)) used.add(port);
    for (const m of src.matchAll(DESTRUCTURED)) for (const port of PROVIDER_PORTS) if (new RegExp(`\\b${port}\\b`).test(m[1] ?? '')) used.add(port);
  }
  return PROVIDER_PORTS.filter((p) => used.has(p));
};
const ownSources = (inputs: string[]): string[] =>
  inputs.filter((i) => /^(shared|functions)\/.*\.ts$/.test(i) && !i.startsWith('shared/adapters/')).map((i) => fs.readFileSync(path.join(ROOT, i), 'utf8'));

test('the port scan finds a call, a destructured port and nothing in code that calls none', () => {
  expect(portsCalledIn(['await deps.sms.send(to, t);', 'const { face, mailer } = ctx.deps;', 'deps.payments.parseNotification(r)'])).toEqual(['face', 'sms', 'mailer', 'payments']);
  expect(portsCalledIn(['const sms = 1; deps.store.get(x);'])).toEqual([]);
});

describe('the bundles', () => {
  let out: string;
  let reports: BundleReport[];
  beforeAll(async () => {
    out = path.join(tempDir('bundles'), 'functions');
    reports = await buildAll(() => undefined, out);
  }, 180_000);
  afterAll(() => fs.rmSync(path.dirname(out), { recursive: true, force: true }));
  const report = (name: string) => reports.find((r) => r.name === name)!;
  const carries = (name: string, pattern: RegExp) => report(name).inputs.some((i) => !i.startsWith('stub:') && pattern.test(i));

  test('one per function, where serverless.yml says', () => {
    expect(reports.map((r) => r.name).sort()).toEqual(names);
    for (const name of names) expect(fs.existsSync(path.join(out, yml.inputs.functions[name]!.handler.replace(/\.main$/, '.js')))).toBe(true);
    if (reports.some((r) => r.pdf)) expect(fs.readdirSync(path.join(out, '_fonts')).sort()).toEqual(['NotoSerifSC_400Regular.ttf', 'NotoSerifSC_700Bold.ttf']);
  });

  test('requiring a bundle exports main and does no I/O (fs, network, DNS, processes)', () => {
    const child = String.raw`
      const files = JSON.parse(process.argv[1]);
      let current = null; const io = {};
      const record = (label, n, a) => { if (current && !(label === 'fs' && a[0] === current)) (io[current] ??= []).push(label + '.' + n + ' ' + String(a[0]).slice(0, 60)); };
      ${WATCH_IO_JS}
      const mains = {};
      for (const file of files) { current = file; const m = require(file); current = null; mains[file] = typeof m.main; }
      process.stdout.write(JSON.stringify({ io, mains }));`;
    const files = names.map((n) => path.join(out, n, 'index.js'));
    const result = JSON.parse(execFileSync(process.execPath, ['-e', child, JSON.stringify(files)], { encoding: 'utf8', maxBuffer: 1 << 22, env: { PATH: process.env.PATH ?? '' } })) as { io: Record<string, string[]>; mains: Record<string, string> };
    expect(result.io).toEqual({});
    expect(Object.values(result.mains)).toEqual(files.map(() => 'function'));
  });

  test('only the PDF functions carry pdf-lib and fontkit; those that never render are not PDF functions', () => {
    for (const r of reports) {
      expect([r.name, carries(r.name, /@cantoo\/pdf-lib\//)]).toEqual([r.name, r.pdf]);
      expect([r.name, carries(r.name, /fontkit/)]).toEqual([r.name, r.pdf]);
    }
    // The outbox worker and the reconcile timer render one thing: an evidence report paid for (C9, F3).
    // The payment webhook renders nothing: it only queues the report (issue 16 item 4).
    const reportOnPayment = ['timer-outbox', 'timer-payment-reconcile'];
    const neverRender = ['payment-notify', 'user-profile', 'face-start', 'identity-verify', 'contract-create', 'contract-get', 'contract-list', 'fee-quote', 'contract-pay',
      // Requests, cancellations and refusals of 解除/结清 never render: only the confirmations stamp the PDF.
      'rescind-request', 'rescind-cancel', 'rescind-refuse', 'settle-request', 'settle-cancel', 'settle-refuse', ...FUNCTIONS.filter((f) => f.kind === 'timer' && !reportOnPayment.includes(f.name)).map((f) => f.name)];
    expect(neverRender.filter((n) => report(n).pdf)).toEqual([]);
    expect(['contract-sign', 'contract-download', 'rescind-confirm', 'settle-confirm', ...reportOnPayment].filter((n) => !report(n).pdf)).toEqual([]);
  });

  test('each function declares, in the registry, exactly the ports the code in its bundle calls', () => {
    for (const r of reports) {
      const spec = FUNCTIONS.find((f) => f.name === r.name)!;
      expect([r.name, [...spec.ports].sort()]).toEqual([r.name, portsCalledIn(ownSources(r.inputs)).sort()]);
      expect([r.name, r.ports, r.pdf]).toEqual([r.name, [...spec.ports].sort(), spec.pdf]);
    }
  });

  test('no bundle carries a Tencent Cloud or WeChat Pay client its function never calls, nor the whole SDK', () => {
    const clients: Record<string, RegExp> = {
      face: /tencentcloud-sdk-nodejs\/tencentcloud\/services\/faceid\//,
      sms: /tencentcloud-sdk-nodejs\/tencentcloud\/services\/sms\//,
      mailer: /tencentcloud-sdk-nodejs\/tencentcloud\/services\/ses\//,
      payments: /^shared\/adapters\/wechatpay\/payments\.ts$/,
    };
    for (const r of reports) {
      for (const [port, pattern] of Object.entries(clients)) expect([r.name, port, carries(r.name, pattern)]).toEqual([r.name, port, r.ports.includes(port as never)]);
      expect([r.name, carries(r.name, /tencentcloud-sdk-nodejs\/tencentcloud\/(index|services\/index)\.js$|services\/(?!faceid|sms|ses)[a-z]+\//)]).toEqual([r.name, false]);
    }
    // What the functions do, independently of the build's own analysis.
    expect(report('user-profile').ports).toEqual([]);
    expect(report('face-start').ports).toEqual(['face']);
    // Messages leave through the outbox (M1), whose one delivery path holds both senders.
    expect(report('contract-email').ports).toEqual(['mailer', 'sms']);
    expect(report('contract-pay').ports).toContain('payments');
    expect(report('payment-notify').ports).toContain('payments');
    expect(report('timer-expire').ports).not.toContain('face');
  });

  describe('run on the production adapters', () => {
    let close: () => Promise<void>;
    let client: Client;
    const lender = person('o-bundle-lender', '孙七', 36);
    const borrower = person('o-bundle-borrower', '周八', 31);
    let contractId: string;
    type Main = (event: unknown, context: unknown) => Promise<any>;
    const bundle = (name: string): Main => (require(path.join(out, name, 'index.js')) as { main: Main }).main;
    // The caller as CloudBase passes it: WX_OPENID in the function context.
    const wx = (openid: string) => ({ request_id: `bundle-${openid}`, environment: JSON.stringify({ WX_OPENID: openid, WX_APPID: 'wx00000000emulator', WX_CONTEXT_KEYS: 'WX_OPENID,WX_APPID' }) });

    beforeAll(async () => {
      // The data comes in through the emulator (the source functions); the bundles read it back.
      const cloud = await startCloudEmulation();
      const emu = await startEmulator({ port: 0, dataDir: tempDir('bundles-run'), timers: false, env: { ESIGN_LOG_LEVEL: 'silent' }, cloud });
      close = () => emu.close();
      client = new Client(emu);
      await client.verify(lender);
      await client.verify(borrower);
      const form = iouForm(client.today());
      contractId = (await client.ok('contract-create', lender.openid, { kind: 'iou', myRole: 'lender', counterparty: { fillMode: 'me', name: borrower.name, idNumber: borrower.idNumber, phone: borrower.phone }, form })).id;
      // A bundle's container reads the platform's environment on its first call.
      Object.assign(process.env, cloud.env, { ESIGN_PROVIDER: 'cloud' });
    }, 60_000);
    afterAll(() => close());

    test('user-profile (no PDF, no Tencent Cloud client) answers from the CloudBase database', async () => {
      expect(await bundle('user-profile')({}, wx(lender.openid))).toMatchObject({ ok: true, data: { verified: true, name: '孙七' } });
    });

    test('contract-download renders the preview PDF with the fonts of the build output and stores it', async () => {
      const r = await bundle('contract-download')({ contractId }, wx(lender.openid));
      expect(r).toMatchObject({ ok: true, data: { preview: true, url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\//) } });
      const pdf = Buffer.from(await (await fetch(r.data.url)).arrayBuffer());
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      expect(pdf.toString('latin1')).toMatch(/\/FontFile2/);
    });
  });
});
