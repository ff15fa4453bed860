/**
 * The deployment agrees with the code (issue 16, items 1–3): cloudbaserc.json (what the CloudBase
 * CLI deploys, typed by @cloudbase/manager-node's ICloudFunction, the library the CLI deploys
 * with), the function folders, the function registry and what `npm run build` writes.
 *
 * - cloudbaserc.json is what cloudbaseConfig() makes of the registry, byte for byte (a stale file
 *   names the command that regenerates it);
 * - every function: its folder, handler, runtime (a CloudBase Node.js runtime matching `engines`
 *   and the esbuild target), memory, timeout, role, the fonts layer exactly for the PDF ones; the
 *   timers their 7-field cron (parsed by croner in SCF's 7-part mode); no other trigger;
 * - every function's environment is templates only (no value, no secret) and, with realistic
 *   values, under SCF's 4 KB;
 * - every environment variable the cloud provider reads is deployed or named as not deployed
 *   with a reason, and docs/DEPLOY.md lists them all;
 * - the build (once here, into a fresh temporary directory, as from a clean clone): one zip per
 *   function holding only its bundle, the fonts layer, each within the platform's size limits;
 *   requiring a bundle does no I/O, only the PDF functions carry pdf-lib and fontkit, no bundle
 *   carries a Tencent Cloud or WeChat Pay client its function never calls, each function's
 *   declaration in the registry (`ports`, `pdf`) is what the code in its bundle calls and carries,
 *   and the bundles run: a plain one and a PDF one (fonts from the layer's folder) answer on the
 *   production adapters against the protocol fakes.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Cron } from 'croner';
import { unzipSync } from 'fflate';
import {
  buildAll, cloudbaseConfig, DEPLOY_FIXED, DEPLOY_SETTINGS, FONTS_LAYER, FUNCTION_ROLE, functionEnvironment, NODE_TARGET, NOT_DEPLOYED, outputDirs, PAYMENT_SETTINGS,
  renderCloudbaseRc, RUNTIME, sdkStandIn, WATCH_IO_JS, type BundleReport, type CloudBaseRc,
} from '../../scripts/build';
import { FUNCTIONS, PROVIDER_PORTS, type ProviderPort } from '../../shared/runtime/registry';
import { loadConfig } from '../../shared/runtime/config';
import { loadWechatPayConfig } from '../../shared/adapters/wechatpay/config';
import { SMS_TEXTS } from '../../shared/messages/sms-texts';
import messages from '../../config/messages.json';
import { startEmulator } from '../../emulator/server';
import { Client, iouForm, person, startCloudEmulation, tempDir } from '../support/emulator';

const ROOT = path.resolve(__dirname, '..', '..');
const REGENERATE = 'npm run build:deploy';
const RC_TEXT = fs.readFileSync(path.join(ROOT, 'cloudbaserc.json'), 'utf8');
const rc = JSON.parse(RC_TEXT) as CloudBaseRc;
const byName = new Map(rc.functions.map((f) => [f.name, f]));
const names = FUNCTIONS.map((f) => f.name).sort();

/** SCF's limits (cloud.tencent.com/document/product/583/11637, 配额限制). */
const SCF = {
  envBytes: 4 * 1024, // 环境变量: 4 KB per function, keys and values together
  zipBytes: 50 * 1024 * 1024, // a code package uploaded directly (zip), and a layer: 50 MB
  unzippedBytes: 500 * 1024 * 1024, // a function's code unzipped: 500 MB
  layersPerFunction: 5,
};
/** The Node.js runtimes CloudBase offers today (CLI 2.12: 公测 24.11 and 22.21; 20.19 left upstream support on 2026-04-30). */
const SUPPORTED_RUNTIMES = ['Nodejs24.11', 'Nodejs22.21'];

describe('cloudbaserc.json', () => {
  test('is what the registry renders (else it is stale)', () => {
    const verdict = RC_TEXT === renderCloudbaseRc() ? 'up to date' : `cloudbaserc.json is stale: regenerate it with \`${REGENERATE}\` and commit it`;
    expect(verdict).toBe('up to date');
    expect(fs.existsSync(path.join(ROOT, 'serverless.yml'))).toBe(false);
  });

  test('functions/, the registry and cloudbaserc.json name the same functions, rooted at the build output', () => {
    const folders = fs.readdirSync(path.join(ROOT, 'functions')).filter((d) => fs.existsSync(path.join(ROOT, 'functions', d, 'index.ts'))).sort();
    expect(folders).toEqual(names);
    expect([...byName.keys()].sort()).toEqual(names);
    expect(rc).toMatchObject({ version: '2.0', envId: '{{env.ESIGN_TCB_ENV}}', functionRoot: './dist/functions' });
  });

  test('the runtime is a supported CloudBase Node.js one, and engines and the esbuild target are the same Node', () => {
    expect(SUPPORTED_RUNTIMES).toContain(RUNTIME);
    const version = /^Nodejs(\d+\.\d+)$/.exec(RUNTIME)![1]!;
    expect(NODE_TARGET).toBe(`node${version}`);
    const engines = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    expect(engines).toBe(`>=${version}`);
    for (const f of rc.functions) expect([f.name, f.runtime]).toEqual([f.name, RUNTIME]);
  });

  test.each(FUNCTIONS.map((f) => [f.name, f] as const))('%s: its folder, handler, memory, timeout, role and layers', (name, spec) => {
    const fn = byName.get(name)!;
    expect(fn).toMatchObject({ name, dir: name, handler: 'index.main', memorySize: spec.memoryMb, timeout: spec.timeoutS, role: FUNCTION_ROLE, installDependency: false });
    // SCF: 64 or 128–3072 MB in steps of 128; 1–900 s for event functions.
    expect(fn.memorySize === 64 || (fn.memorySize! % 128 === 0 && fn.memorySize! >= 128 && fn.memorySize! <= 3072)).toBe(true);
    expect(fn.timeout).toBeGreaterThanOrEqual(1);
    expect(fn.timeout).toBeLessThanOrEqual(900);
    expect(fn.layers ?? []).toEqual(spec.pdf ? [{ name: 'esign-fonts_{{env.ESIGN_TCB_ENV}}', version: 1 }] : []);
    expect((fn.layers ?? []).length).toBeLessThanOrEqual(SCF.layersPerFunction);
  });

  test('every timer has one timer trigger with its 7-field cron; nothing else has a trigger', () => {
    const field = /^(\*|\d+(-\d+)?(,\d+(-\d+)?)*|(\*|\d+)\/\d+)$/;
    const ranges: Array<[number, number]> = [[0, 59], [0, 59], [0, 23], [1, 31], [1, 12], [0, 6], [1970, 2099]];
    for (const spec of FUNCTIONS) {
      const triggers = byName.get(spec.name)!.triggers ?? [];
      if (spec.kind !== 'timer') {
        expect([spec.name, triggers]).toEqual([spec.name, []]);
        continue;
      }
      expect(triggers).toEqual([{ name: spec.name, type: 'timer', config: spec.schedule }]);
      const fields = triggers[0]!.config.split(' ');
      expect(fields).toHaveLength(7);
      fields.forEach((f, i) => {
        expect(f).toMatch(field);
        for (const n of f.split(/[^\d]+/).filter(Boolean).map(Number)) {
          if (f.includes('/') && f.endsWith(`/${n}`)) continue; // a step, not a value
          expect(n).toBeGreaterThanOrEqual(ranges[i]![0]);
          expect(n).toBeLessThanOrEqual(ranges[i]![1]);
        }
      });
      expect(new Cron(triggers[0]!.config, { mode: '7-part', paused: true }).nextRun()).toBeInstanceOf(Date);
    }
  });

  test('every function\'s environment is templates by name only: no value, no secret; payment settings only where payments are taken', () => {
    for (const spec of FUNCTIONS) {
      const env = byName.get(spec.name)!.envVariables as Record<string, string>;
      expect(env).toEqual(functionEnvironment(spec));
      for (const [key, value] of Object.entries(env)) expect([key, value]).toEqual([key, DEPLOY_FIXED[key] ?? `{{env.${key}}}`]);
      expect([spec.name, Object.keys(env).some((k) => PAYMENT_SETTINGS.has(k))]).toEqual([spec.name, spec.ports.includes('payments')]);
    }
    expect(Object.keys(NOT_DEPLOYED).filter((k) => (DEPLOY_SETTINGS as readonly string[]).includes(k))).toEqual([]);
    // Nothing that looks like a key, a certificate or a secret id anywhere in the file.
    expect(RC_TEXT).not.toMatch(/BEGIN [A-Z ]*(KEY|CERTIFICATE)|AKID[0-9A-Za-z]{8,}|PUB_KEY_ID_\d/);
    // And no setting that is a secret: those are read from SSM (shared/ports/secrets.ts).
    const keys = new Set(rc.functions.flatMap((f) => Object.keys(f.envVariables ?? {})));
    expect([...keys].filter((k) => /PRIVATE_KEY|APIV3|SECRET|ISSUING_KEY|PEPPER|HMAC/.test(k))).toEqual([]);
  });

  test('with realistic values, every function\'s environment is under SCF\'s 4 KB', () => {
    const publicKeyPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const templateIds = (keys: string[], make: (i: number) => string) => JSON.stringify(Object.fromEntries(keys.map((k, i) => [k, make(i)])));
    const realistic: Record<string, string> = {
      ESIGN_PROVIDER: 'cloud',
      ESIGN_TCB_ENV: 'esign-prod-4g8k2m1x9a7b3c5d',
      ESIGN_TCB_STORAGE_BUCKET: '6573-esign-prod-4g8k2m1x9a7b3c5d-1314159265',
      ESIGN_FACEID_RULE_ID: '1',
      ESIGN_SMS_SDK_APP_ID: '1400987654',
      ESIGN_SMS_SIGN_NAME: '深圳市某某科技有限公司',
      ESIGN_SMS_TEMPLATE_IDS: templateIds(Object.keys(SMS_TEXTS), (i) => String(2_345_601 + i)),
      ESIGN_WX_APPID: 'wx1234567890abcdef',
      ESIGN_TSA_URL: 'https://tsa.example-timestamp.cn/tsa/rfc3161',
      ESIGN_TSA_POLICY: '1.2.156.112558.1.1.3.2.1',
      ESIGN_TSA_TIMEOUT_MS: '10000',
      ESIGN_SSM_PREFIX: 'esign-prod-',
      ESIGN_SSM_VERSION: 'v1',
      ESIGN_CA_KMS_KEY_ID: '22d79428-61d9-11ea-a3c8-525400a1b2c3',
      ESIGN_WX_API_BASE_URL: 'https://api.weixin.qq.com',
      ESIGN_WX_ENV_VERSION: 'release',
      ESIGN_WX_SUBSCRIBE_TEMPLATE_IDS: templateIds(Object.keys(messages.subscribeTemplates), () => randomBytes(32).toString('base64url').slice(0, 43)),
      ESIGN_SES_FROM: '电子签 <noreply@mail.esign-example.cn>',
      ESIGN_SES_TEMPLATE_ID: '123456',
      ESIGN_SES_REGION: 'ap-guangzhou',
      ESIGN_SES_REPLY_TO: 'support@esign-example.cn',
      ESIGN_SHARE_LINK_BASE: 'pages/share/index?token=',
      ESIGN_TC_TIMEOUT_SECONDS: '5',
      ESIGN_PAYMENT_RECONCILE_MINUTES: '15',
      ESIGN_TIMER_BATCH: '200',
      ESIGN_LOG_LEVEL: 'info',
      WECHATPAY_MCHID: '1900012345',
      WECHATPAY_APPID: 'wx1234567890abcdef',
      WECHATPAY_MERCHANT_SERIAL_NO: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
      WECHATPAY_PUBLIC_KEY: publicKeyPem.replace(/\n/g, '\\n'),
      WECHATPAY_PUBLIC_KEY_ID: 'PUB_KEY_ID_0119000123452025010100000000000001',
      WECHATPAY_PLATFORM_CERTS: '',
      WECHATPAY_NOTIFY_URL: 'https://esign-prod-4g8k2m1x9a7b3c5d-1314159265.ap-shanghai.app.tcloudbase.com/payment-notify',
    };
    const deployed = new Set(Object.keys(functionEnvironment(FUNCTIONS.find((f) => f.ports.includes('payments'))!)));
    expect([...deployed].filter((k) => realistic[k] === undefined)).toEqual([]);
    const sizes = FUNCTIONS.map((spec) => {
      const env = functionEnvironment(spec);
      return [spec.name, Object.keys(env).reduce((n, k) => n + Buffer.byteLength(k) + Buffer.byteLength(realistic[k]!), 0)] as const;
    });
    expect(sizes.filter(([, bytes]) => bytes > SCF.envBytes)).toEqual([]);
    // The largest is a payment function's, and it keeps a margin for a platform certificate's serial or two more settings.
    expect(Math.max(...sizes.map(([, b]) => b))).toBeLessThan(SCF.envBytes - 512);
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
    const all = new Set([...read, ...namesInSource('scripts/setup-cloudbase.ts')]);
    expect([...all].filter((n) => !doc.includes(`\`${n}\``)).sort()).toEqual([]);
    expect(doc).toContain('npm run setup:cloud');
    expect(doc).toContain(REGENERATE);
    // The tool it names is the one this repository installs and whose file it writes.
    expect(doc).toContain('npx tcb fn deploy --all');
    expect(doc).not.toMatch(/serverless-cloud-framework|scf deploy|serverless\.yml/);
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

  test('one folder per function holding only its bundle, zipped alone within SCF\'s limits', () => {
    expect(reports.map((r) => r.name).sort()).toEqual(names);
    const dirs = outputDirs(out);
    for (const name of names) {
      expect([name, fs.readdirSync(path.join(out, rc.functions.find((f) => f.name === name)!.dir))]).toEqual([name, ['index.js']]);
      const zip = fs.readFileSync(path.join(dirs.zips, `${name}.zip`));
      const files = unzipSync(zip);
      expect([name, Object.keys(files)]).toEqual([name, ['index.js']]);
      expect(Buffer.from(files['index.js']!).equals(fs.readFileSync(path.join(out, name, 'index.js')))).toBe(true);
      expect(zip.length).toBeLessThan(SCF.zipBytes);
      expect(files['index.js']!.length).toBeLessThan(SCF.unzippedBytes);
      // A bundle is ~1–3 MB: 5 MB would mean something heavy slipped in (the fonts were 29 MB).
      expect([name, zip.length < 5 * 1024 * 1024]).toEqual([name, true]);
    }
    expect(fs.readdirSync(dirs.zips).sort()).toEqual(names.map((n) => `${n}.zip`).sort());
  });

  test('no bundle carries lodash.set / lodash.unset 4.x (high advisory, no fix): their stand-ins set and unset paths and refuse prototype keys', () => {
    for (const r of reports) expect([r.name, carries(r.name, /node_modules\/lodash\.(set|unset)\//)]).toEqual([r.name, false]);
    const load = (name: string) => {
      const module = { exports: undefined as unknown };
      new Function('module', sdkStandIn(name)!)(module);
      return module.exports as (...a: unknown[]) => unknown;
    };
    const set = load('lodash.set');
    const unset = load('lodash.unset');
    const doc: Record<string, any> = { a: { b: 1 } };
    set(doc, 'a.c.d', 2);
    set(doc, ['list', '0', 'x'], 3);
    expect(doc).toEqual({ a: { b: 1, c: { d: 2 } }, list: [{ x: 3 }] });
    expect(unset(doc, 'a.c.d')).toBe(true);
    expect(doc.a).toEqual({ b: 1, c: {} });
    set({}, '__proto__.polluted', 'yes');
    set({}, ['constructor', 'prototype', 'polluted'], 'yes');
    set({}, 'a[__proto__].polluted', 'yes');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(unset({}, '__proto__.toString')).toBe(false);
    expect(typeof ({} as object).toString).toBe('function');
  });

  test('the fonts are in one layer, which only the PDF functions attach; no bundle carries a font', () => {
    const dirs = outputDirs(out);
    const zip = fs.readFileSync(path.join(dirs.layers, `${FONTS_LAYER.name}.zip`));
    const files = unzipSync(zip);
    expect(Object.keys(files).sort()).toEqual(['fonts/NotoSerifSC_400Regular.ttf', 'fonts/NotoSerifSC_700Bold.ttf']);
    expect(Object.values(files).every((f) => f.length > 1_000_000)).toBe(true);
    expect(zip.length).toBeLessThan(SCF.zipBytes);
    for (const r of reports) expect([r.name, r.inputs.some((i) => /\.(ttf|otf)$/.test(i)), r.bytes < 5 * 1024 * 1024]).toEqual([r.name, false, true]);
    expect(rc.functions.filter((f) => f.layers?.length).map((f) => f.name).sort()).toEqual(reports.filter((r) => r.pdf).map((r) => r.name).sort());
  });

  test('as from a clean clone: every repository file a bundle is built from is tracked by git (dist/ is not)', () => {
    const tracked = new Set(execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 24 }).split('\n'));
    const own = [...new Set(reports.flatMap((r) => r.inputs))].filter((i) => /^(shared|functions|schemas|config|templates)\//.test(i));
    expect(own.length).toBeGreaterThan(100);
    expect(own.filter((i) => !tracked.has(i))).toEqual([]);
    expect([...tracked].filter((f) => f.startsWith('dist/'))).toEqual([]);
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
      expect([r.name, carries(r.name, /tencentcloud-sdk-nodejs\/tencentcloud\/(index|services\/index)\.js$|services\/(?!faceid|sms|ses|ssm|kms)[a-z]+\//)]).toEqual([r.name, false]);
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
