/**
 * `npm run build`: one bundle per cloud function, dist/functions/<name>/index.js (esbuild, CommonJS,
 * `exports.main`), which is what serverless.yml deploys. The function registry
 * (shared/runtime/registry.ts) is the list; a function folder it does not name, or a name without a
 * folder, fails the build.
 *
 * What goes into a bundle, and why:
 * - The local adapters (SQLite through a native module, the simulators, the outboxes) are replaced
 *   by stubs that throw if ever constructed: the container imports them for ESIGN_PROVIDER=local,
 *   and a bundle only ever runs in the cloud. Anything else importing a local adapter fails the
 *   build rather than shipping a stand-in.
 * - A Tencent Cloud service client (FaceID, SMS, SES) and the WeChat Pay client are included only
 *   when the function declares that port in the registry (`ports`). Otherwise the container's
 *   loader for it is a stub that reports "not in this bundle" as a provider error: the cold start
 *   never pays for a client the function cannot use. test/cloud/deploy.test.ts fails when a
 *   declaration is not what the code the bundle carries calls.
 * - Functions that declare `pdf` get the fonts from dist/functions/_fonts (one copy for all), named
 *   to fonts.ts on the function's first call; pdf-lib and fontkit stay out of every other bundle
 *   because nothing else imports them (the same test checks the declaration against the bundle).
 * - Requiring a bundle does no I/O: clients are made on first use (the container), fonts read on
 *   first render.
 *
 * `--serverless` also rewrites serverless.yml from the registry (see renderServerlessYml).
 */
import { build, type Metafile, type Plugin } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { FUNCTIONS, type FunctionSpec, type ProviderPort } from '../shared/runtime/registry';

const ROOT = path.resolve(__dirname, '..');
export const DIST = path.join(ROOT, 'dist', 'functions');
export const FONTS_DIR = '_fonts';
const FONT_FILES = {
  regular: '@expo-google-fonts/noto-serif-sc/400Regular/NotoSerifSC_400Regular.ttf',
  bold: '@expo-google-fonts/noto-serif-sc/700Bold/NotoSerifSC_700Bold.ttf',
} as const;

/** Local adapters that may be bundled as they are: pure code the cloud container uses too. */
const LOCAL_KEEP = new Set(['ids.ts', 'clock.ts']);
const LOCAL_DIR = path.join(ROOT, 'shared', 'adapters', 'local') + path.sep;
const CONTAINER = path.join(ROOT, 'shared', 'runtime', 'container.ts');
const CLOUD_DEPS = path.join(ROOT, 'shared', 'adapters', 'cloudbase', 'cloud-deps.ts');

export type Port = ProviderPort;

/** The module each port's production client comes from, as cloud-deps.ts requires it. */
const PORT_MODULES: Record<string, Port> = {
  '../tencentcloud/faceid': 'face',
  '../tencentcloud/sms': 'sms',
  '../tencentcloud/ses': 'mailer',
  '../wechatpay/config': 'payments',
  '../wechatpay/payments': 'payments',
};

export interface BundleReport {
  name: string;
  kind: FunctionSpec['kind'];
  bytes: number;
  /** As the registry declares them. */
  ports: Port[];
  pdf: boolean;
  /** The modules in the bundle, relative to the repository; `stub:<path>` for a module replaced by a stand-in (for tests). */
  inputs: string[];
}

/** The names a module exports (types aside), so its stub can offer the same ones. */
const exportedNames = (file: string): string[] => {
  const src = fs.readFileSync(file, 'utf8');
  const names = new Set<string>();
  for (const m of src.matchAll(/export\s+(?:declare\s+)?(?:async\s+)?(?:function\*?|class|const|let|var|enum)\s+([A-Za-z_$][\w$]*)/g)) names.add(m[1]!);
  for (const m of src.matchAll(/export\s*\{([^}]*)\}/g)) {
    for (const part of m[1]!.split(',')) {
      const name = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/).pop()!.trim();
      if (name && !/^type\s/.test(part.trim())) names.add(name);
    }
  }
  return [...names];
};

const stubSource = (names: string[], why: string): string =>
  [
    `const unavailable = (name) => function () { throw Object.assign(new Error(${JSON.stringify(why)} + ' (' + name + ')'), { code: 'NotInBundle' }); };`,
    ...names.map((n) => `export const ${n} = unavailable(${JSON.stringify(n)});`),
  ].join('\n');

/** Replaces local adapters by stubs, and refuses them anywhere but in the container. */
const localStubs = (): Plugin => ({
  name: 'local-adapters-stubbed',
  setup(b) {
    b.onResolve({ filter: /adapters\/local\/|^\.\/[a-z-]+$/ }, (args) => {
      if (!args.importer) return undefined;
      const base = path.resolve(args.resolveDir, args.path);
      const file = fs.existsSync(`${base}.ts`) ? `${base}.ts` : base;
      if (!file.startsWith(LOCAL_DIR) || LOCAL_KEEP.has(path.basename(file))) return undefined;
      if (args.importer !== CONTAINER && !args.importer.startsWith(LOCAL_DIR)) {
        return { errors: [{ text: `${path.relative(ROOT, args.importer)} imports the local adapter ${path.relative(ROOT, file)}, which cloud bundles do not carry` }] };
      }
      return { path: file, namespace: 'local-stub' };
    });
    b.onLoad({ filter: /.*/, namespace: 'local-stub' }, (args) => ({
      contents: stubSource(exportedNames(args.path), 'local adapters are not part of cloud bundles'),
      loader: 'js',
    }));
  },
});

/** Keeps out the provider clients of ports the function never calls. */
const unusedClients = (used: Set<Port>): Plugin => ({
  name: 'unused-provider-clients',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/(tencentcloud|wechatpay)\// }, (args) => {
      const port = PORT_MODULES[args.path];
      if (args.importer !== CLOUD_DEPS || !port || used.has(port)) return undefined;
      return { path: path.resolve(args.resolveDir, `${args.path}.ts`), namespace: 'client-stub', pluginData: port };
    });
    b.onLoad({ filter: /.*/, namespace: 'client-stub' }, (args) => ({
      contents: stubSource(exportedNames(args.path), `this function does not call ${String(args.pluginData)}, so its bundle has no client for it`),
      loader: 'js',
    }));
  },
});

/**
 * What each function's bundle starts from: its entry. A PDF function first tells fonts.ts where the
 * fonts are, on its first call rather than at require time: fonts.ts brings fontkit, and a function
 * that reaches the PDF code only through a dynamic import then loads neither until it renders.
 */
const entrySource = (name: string, pdf: boolean): string =>
  pdf
    ? [
        `import path from 'node:path';`,
        `import { main as handler } from './functions/${name}/index';`,
        `let fontsConfigured = false;`,
        `export const main = (event: unknown, context?: unknown) => {`,
        `  if (!fontsConfigured) {`,
        `    const { configureDocumentFonts } = require('./shared/documents/fonts') as typeof import('./shared/documents/fonts');`,
        `    configureDocumentFonts({ regular: path.join(__dirname, '..', '${FONTS_DIR}', '${path.basename(FONT_FILES.regular)}'), bold: path.join(__dirname, '..', '${FONTS_DIR}', '${path.basename(FONT_FILES.bold)}') });`,
        `    fontsConfigured = true;`,
        `  }`,
        `  return handler(event as never, context as never);`,
        `};`,
      ].join('\n')
    : `export { main } from './functions/${name}/index';`;

const ENTRY = 'function-entry';

/** `entry:<name>` is the virtual entry module of function <name>. */
const functionEntries = (pdf: ReadonlySet<string>): Plugin => ({
  name: 'function-entries',
  setup(b) {
    b.onResolve({ filter: /^entry:/ }, (args) => ({ path: args.path.slice('entry:'.length), namespace: ENTRY }));
    b.onLoad({ filter: /.*/, namespace: ENTRY }, (args) => ({ contents: entrySource(args.path, pdf.has(args.path)), resolveDir: ROOT, loader: 'ts' }));
  },
});

/**
 * One esbuild run for several functions: every module is parsed once, and each function still gets
 * its own self-contained bundle (no code splitting) holding only what its entry reaches.
 */
const options = (names: readonly string[], outdir: string) =>
  ({
    entryPoints: Object.fromEntries(names.map((n) => [`${n}/index`, `entry:${n}`])),
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    keepNames: true, // stack traces in the logs name our functions
    legalComments: 'none',
    logLevel: 'error',
    metafile: true,
  }) as const;

/**
 * Parts of the CloudBase SDK's dependency tree our functions never reach, left out because the
 * cold start pays for parsing every byte of a bundle (~30 µs per KB here). Each is only used
 * inside functions we do not call, never at module load, so a stand-in that throws when called
 * keeps the SDK's behaviour on every path we use (test/cloud/deploy.test.ts runs bundles against the protocol fakes).
 */
const SDK_TRIMS: Record<string, { why: string; contents?: string }> = {
  '@cloudbase/ai': { why: 'CloudBase AI (app.ai()), not used' },
  '@cloudbase/app': { why: 'the web SDK core, only reached from app.ai()' },
  'web-streams-polyfill': { why: 'streams for app.ai() responses' },
  '@cloudbase/wx-cloud-client-sdk': { why: 'data models and MySQL clients; tcb.init builds them inside try/catch' },
  jsonwebtoken: { why: 'custom login tickets (app.auth()), not used' },
  xmlbuilder: { why: 'xml2js.Builder; only the parser reads COS error bodies' },
  // node-fetch (Tencent Cloud SDK) prefers Node's own url.URL and never calls whatwg-url's.
  'whatwg-url': { why: '', contents: "const { URL, URLSearchParams } = require('node:url'); module.exports = { URL, URLSearchParams };" },
  // form-data only guesses content types for multipart uploads, which nothing here sends.
  'mime-db': {
    why: '',
    contents: `module.exports = ${JSON.stringify({
      'application/json': { extensions: ['json'] },
      'application/octet-stream': { extensions: ['bin'] },
      'application/pdf': { extensions: ['pdf'] },
      'image/jpeg': { extensions: ['jpeg', 'jpg'] },
      'image/png': { extensions: ['png'] },
      'text/plain': { extensions: ['txt'] },
    })};`,
  },
};

const sdkTrims = (): Plugin => ({
  name: 'sdk-trims',
  setup(b) {
    const names = Object.keys(SDK_TRIMS).map((n) => n.replace(/[/.-]/g, (c) => `\\${c}`));
    b.onResolve({ filter: new RegExp(`^(${names.join('|')})$`) }, (args) => ({ path: args.path, namespace: 'sdk-trim' }));
    b.onLoad({ filter: /.*/, namespace: 'sdk-trim' }, (args) => {
      const trim = SDK_TRIMS[args.path]!;
      const contents =
        trim.contents ??
        [
          `const fail = (what) => function () { throw new Error(${JSON.stringify(`${args.path} is not in this bundle (${trim.why})`)} + ': ' + what); };`,
          `module.exports = new Proxy(fail('default'), { get: (_t, k) => (k === '__esModule' || k === 'then' ? undefined : fail(String(k))) });`,
        ].join('\n');
      return { contents, loader: 'js' };
    });
  },
});

/** A module as reports name it: its path relative to the repository; `stub:<path>` for a stand-in. */
const reportedInput = (key: string): string => {
  const m = /^([a-z-]+):(.*)$/.exec(key);
  if (!m) return key;
  const [, ns, p] = m as unknown as [string, string, string];
  if (ns === ENTRY) return `entry:${p}`;
  const rel = path.isAbsolute(p) ? path.relative(ROOT, p) : p;
  return ns === 'file' ? rel : `stub:${rel}`;
};

/**
 * Each function's modules (see reportedInput), by function name: an
 * entry's own output plus every chunk it imports, statically or dynamically (a CommonJS bundle
 * inlines dynamic imports, so they count).
 */
const inputsByFunction = (meta: Metafile): Map<string, string[]> => {
  const byName = new Map<string, string[]>();
  for (const out of Object.values(meta.outputs)) {
    if (!out.entryPoint?.startsWith(`${ENTRY}:`)) continue;
    const files = new Set<string>();
    const seen = new Set<typeof out>();
    const visit = (o: typeof out): void => {
      if (seen.has(o)) return;
      seen.add(o);
      for (const p of Object.keys(o.inputs)) files.add(reportedInput(p));
      for (const i of o.imports) if (!i.external && meta.outputs[i.path]) visit(meta.outputs[i.path]!);
    };
    visit(out);
    byName.set(out.entryPoint.slice(ENTRY.length + 1), [...files]);
  }
  return byName;
};

/**
 * Builds the bundles of `specs` into outDir/<name>/index.js, the functions that declare the same
 * ports and PDF use in one esbuild run each (every shared module parsed once per run).
 */
export async function buildFunctions(specs: readonly FunctionSpec[], outDir = DIST): Promise<BundleReport[]> {
  const plan = specs.map((spec) => ({ spec, used: new Set<Port>(spec.ports), pdf: spec.pdf }));
  const pdf = new Set(plan.filter((p) => p.pdf).map((p) => p.spec.name));
  const groups = new Map<string, typeof plan>();
  for (const p of plan) {
    const key = `${p.pdf}|${[...p.used].sort().join(',')}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const reports: BundleReport[] = [];
  fs.mkdirSync(path.join(outDir, '..', 'meta'), { recursive: true });
  await Promise.all(
    [...groups.values()].map(async (group) => {
      const result = await build({ ...options(group.map((g) => g.spec.name), outDir), plugins: [functionEntries(pdf), localStubs(), sdkTrims(), unusedClients(group[0]!.used)] });
      const inputs = inputsByFunction(result.metafile);
      for (const { spec, used, pdf: renders } of group) {
        const outfile = path.join(outDir, spec.name, 'index.js');
        const mine = inputs.get(spec.name) ?? [];
        const bytes = fs.statSync(outfile).size;
        // Kept beside (not inside) the deployed folder, for `esbuild --analyze`-style questions.
        fs.writeFileSync(path.join(outDir, '..', 'meta', `${spec.name}.json`), JSON.stringify({ inputs: mine, bytes }));
        reports.push({ name: spec.name, kind: spec.kind, bytes, ports: [...used].sort(), pdf: renders, inputs: [...mine].sort() });
      }
    }),
  );
  return reports.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * How "requiring a bundle does no I/O" is observed, in a fresh node before the bundle is required
 * (test/cloud/deploy.test.ts checks it, bench/bundles.ts reports it): this JavaScript wraps the
 * file, network, DNS and process functions so that each call is first passed to
 * `record(label, name, args)`, which the script defines before this code.
 */
export const WATCH_IO_JS = String.raw`
{
  const fs = require('fs'), net = require('net'), dns = require('dns'), http = require('http'), https = require('https'), cp = require('child_process');
  const watch = (obj, fns, label) => { for (const n of fns) { const f = obj[n]; if (typeof f !== 'function') continue;
    obj[n] = function (...a) { record(label, n, a); return f.apply(this, a); }; } };
  watch(fs, ['readFileSync', 'readFile', 'openSync', 'open', 'statSync', 'stat', 'lstatSync', 'existsSync', 'readdirSync', 'readdir', 'createReadStream', 'writeFileSync', 'writeFile', 'appendFileSync', 'mkdirSync', 'accessSync', 'watch'], 'fs');
  watch(fs.promises, ['readFile', 'open', 'stat', 'readdir', 'writeFile', 'access'], 'fs.promises');
  watch(net.Socket.prototype, ['connect'], 'net'); watch(net, ['connect', 'createConnection', 'createServer'], 'net');
  watch(dns, ['lookup', 'resolve', 'resolve4'], 'dns'); watch(http, ['request', 'get', 'createServer'], 'http'); watch(https, ['request', 'get'], 'https');
  watch(cp, ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'], 'child_process');
}
`;

/** functions/ and the registry must name the same functions. */
export const checkFunctionFolders = (): void => {
  const folders = fs.readdirSync(path.join(ROOT, 'functions')).filter((d) => fs.existsSync(path.join(ROOT, 'functions', d, 'index.ts')));
  const names = FUNCTIONS.map((f) => f.name);
  const missing = names.filter((n) => !folders.includes(n));
  const extra = folders.filter((d) => !names.includes(d));
  if (missing.length || extra.length) {
    throw new Error(`functions/ and shared/runtime/registry.ts disagree: ${missing.length ? `no folder for ${missing.join(', ')}` : ''}${extra.length ? ` not in the registry: ${extra.join(', ')}` : ''}`);
  }
};

export async function buildAll(log: (line: string) => void = () => undefined, outDir = DIST): Promise<BundleReport[]> {
  checkFunctionFolders();
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const reports = await buildFunctions(FUNCTIONS, outDir);
  for (const r of reports) log(`${r.name.padEnd(28)} ${(r.bytes / 1024).toFixed(0).padStart(6)} KB  ${[r.pdf ? 'pdf' : '', ...r.ports].filter(Boolean).join(' ')}`);
  if (reports.some((r) => r.pdf)) {
    fs.mkdirSync(path.join(outDir, FONTS_DIR), { recursive: true });
    for (const f of Object.values(FONT_FILES)) fs.copyFileSync(require.resolve(f), path.join(outDir, FONTS_DIR, path.basename(f)));
  }
  fs.writeFileSync(path.join(outDir, '..', 'bundles.json'), `${JSON.stringify(reports, null, 2)}\n`);
  return reports;
}

// ---- serverless.yml ----

/**
 * Settings every function receives, by name (docs/DEPLOY.md says what each is): the values come
 * from the deployer's environment (or .env) at deploy time, `${env:NAME}`, never from this
 * repository. Optional ones may be left unset: the CLI then deploys no value and the code's
 * default applies (config.ts treats an empty value as unset).
 */
export const DEPLOY_SETTINGS = [
  'ESIGN_TCB_ENV',
  'ESIGN_TCB_STORAGE_BUCKET',
  'ESIGN_FACEID_RULE_ID',
  'ESIGN_SMS_SDK_APP_ID',
  'ESIGN_SMS_SIGN_NAME',
  'ESIGN_SMS_TEMPLATE_IDS',
  'ESIGN_WX_APPID',
  'ESIGN_TSA_URL', 'ESIGN_TSA_POLICY', 'ESIGN_TSA_TIMEOUT_MS',
  'ESIGN_SSM_PREFIX', 'ESIGN_SSM_VERSION',
  'ESIGN_WX_API_BASE_URL',
  'ESIGN_WX_ENV_VERSION',
  'ESIGN_WX_SUBSCRIBE_TEMPLATE_IDS',
  'ESIGN_SES_FROM',
  'ESIGN_SES_TEMPLATE_ID',
  'ESIGN_SES_REGION',
  'ESIGN_SES_REPLY_TO',
  'ESIGN_SHARE_LINK_BASE',
  'ESIGN_TC_TIMEOUT_SECONDS',
  'ESIGN_PAYMENT_RECONCILE_MINUTES',
  'ESIGN_TIMER_BATCH',
  'ESIGN_LOG_LEVEL',
  'WECHATPAY_MCHID',
  'WECHATPAY_APPID',
  'WECHATPAY_MERCHANT_SERIAL_NO',
  'WECHATPAY_PUBLIC_KEY',
  'WECHATPAY_PUBLIC_KEY_ID',
  'WECHATPAY_PLATFORM_CERTS',
  'WECHATPAY_NOTIFY_URL',
] as const;

/** What the deployment fixes itself (not a setting). */
export const DEPLOY_FIXED: Readonly<Record<string, string>> = { ESIGN_PROVIDER: 'cloud' };

/** Variables the code reads that serverless.yml must not set, and why (test/cloud/deploy.test.ts keeps this complete). */
export const NOT_DEPLOYED: Readonly<Record<string, string>> = {
  TENCENTCLOUD_SECRETID: 'set by SCF: the temporary key of the function role',
  TENCENTCLOUD_SECRETKEY: 'set by SCF: the temporary key of the function role',
  TENCENTCLOUD_SESSIONTOKEN: 'set by SCF: the temporary key of the function role',
  TENCENTCLOUD_REGION: 'set by SCF: the function region',
  TCB_ENV: 'set by CloudBase: the environment id (fallback for ESIGN_TCB_ENV)',
  SCF_NAMESPACE: 'set by SCF: the namespace, which is the CloudBase environment id (fallback)',
  ESIGN_TC_SECRET_ID: 'explicit API key, only for running the cloud provider outside SCF',
  ESIGN_TC_SECRET_KEY: 'explicit API key, only for running the cloud provider outside SCF',
  ESIGN_TC_SESSION_TOKEN: 'explicit API key, only for running the cloud provider outside SCF',
  ESIGN_TCB_SERVICE_URL: 'tests: the local CloudBase protocol server',
  ESIGN_TC_API_GATEWAY: 'tests: the local Tencent Cloud API server',
  ESIGN_CI_ENDPOINT: 'tests: the local 数据万象 (COS) server',
  WECHATPAY_BASE_URL: 'tests: the local WeChat Pay simulator',
  ESIGN_DATA_DIR: 'local provider only',
  NODE_ENV: 'the test runner (silences logs)',
  WECHATPAY_MERCHANT_PRIVATE_KEY: 'a secret: SSM <prefix>wechatpay-merchant-private-key, handed to the WeChat Pay config by cloud-deps.ts',
  WECHATPAY_APIV3_KEY: 'a secret: SSM <prefix>wechatpay-apiv3-key, handed to the WeChat Pay config by cloud-deps.ts',
};

/**
 * The multi-scf form (serverless-components/tencent-multi-scf, docs/configure.md and
 * src/formatter.ts):
 * - one `functions` entry per registry function, `name` pinned (multi-scf otherwise derives the
 *   name from the instance, stage and app, and the mini-program calls functions by their own name);
 * - memory, timeout and environment on each entry: multi-scf passes only type, namespace, runtime
 *   and description down from `inputs` (hence the YAML anchor for the environment);
 * - the whole build output is the code of every function (`src.src`), so a handler is
 *   `<name>/index.main` and the PDF functions find the shared `_fonts/` beside their folder;
 * - timers as SCF 7-field cron, triggers naming the function by its key;
 * - the payment webhook behind a function URL (trigger `type: http`, Tencent's `http` trigger
 *   of the component toolkit): SCF stopped creating API gateway triggers on 2024-07-01 (the API
 *   gateway product is being shut down), and a function URL turns the `{statusCode, headers, body}`
 *   the function returns into the HTTP response by itself, which WeChat Pay reads.
 */
export const renderServerlessYml = (functions: readonly FunctionSpec[] = FUNCTIONS): string => {
  const lines: string[] = [
    '# Generated from shared/runtime/registry.ts by `npm run build:serverless`',
    '# (npx tsx scripts/build.ts --serverless); do not edit by hand.',
    '# test/cloud/deploy.test.ts fails when this file, functions/ and the bundles disagree.',
    "# Deploy with Tencent's Serverless Cloud Framework CLI (`scf deploy`), see docs/DEPLOY.md.",
    "# No value is written here: ${env:NAME} is read from the deployer's environment or .env.",
    'app: esign-personal',
    'stage: ${env:STAGE}',
    'component: multi-scf',
    'name: esign-functions',
    '',
    'inputs:',
    '  src:',
    '    src: ./dist/functions # `npm run build`: <name>/index.js per function, _fonts/ for the PDF ones',
    '  region: ${env:TENCENTCLOUD_REGION}',
    "  namespace: ${env:ESIGN_TCB_ENV} # the CloudBase environment's SCF namespace",
    '  type: event',
    '  runtime: Nodejs20.19',
    '  functions:',
  ];
  functions.forEach((f, i) => {
    lines.push(
      `    ${f.name}:`,
      `      name: ${f.name}`,
      `      handler: ${f.name}/index.main`,
      `      description: ${JSON.stringify(f.summary)}`,
      `      memorySize: ${f.memoryMb}`,
      `      timeout: ${f.timeoutS}`,
    );
    if (i === 0) {
      lines.push('      environment: &environment');
      for (const [k, v] of Object.entries(DEPLOY_FIXED)) lines.push(`        - key: ${k}`, `          value: ${v}`);
      for (const k of DEPLOY_SETTINGS) lines.push(`        - key: ${k}`, `          value: \${env:${k}}`);
    } else {
      lines.push('      environment: *environment');
    }
  });
  lines.push('  triggers:');
  for (const f of functions.filter((x) => x.kind === 'timer')) {
    lines.push('    - type: timer', `      function: ${f.name}`, '      parameters:', `        name: ${f.name}`, `        cronExpression: '${f.schedule}'`, '        enable: true');
  }
  for (const f of functions.filter((x) => x.kind === 'webhook')) {
    lines.push(
      '    # WeChat Pay posts its notifications here: WECHATPAY_NOTIFY_URL is this function URL (HTTPS, public).',
      '    - type: http',
      `      function: ${f.name}`,
      '      parameters:',
      `        name: ${f.name}-url`,
      '        qualifier: $DEFAULT',
      '        authType: NONE # WeChat Pay cannot sign for CAM; the function verifies its signature',
      '        netConfig:',
      '          enableIntranet: false',
      '          enableExtranet: true',
    );
  }
  return `${lines.join('\n')}\n`;
};

if (require.main === module) {
  const started = Date.now();
  buildAll((line) => console.log(line))
    .then((reports) => {
      if (process.argv.includes('--serverless')) fs.writeFileSync(path.join(ROOT, 'serverless.yml'), renderServerlessYml());
      const total = reports.reduce((n, r) => n + r.bytes, 0);
      console.log(`${reports.length} bundles, ${(total / 1024 / 1024).toFixed(1)} MB, in ${((Date.now() - started) / 1000).toFixed(1)} s → ${path.relative(ROOT, DIST)}`);
    })
    .catch((e: Error) => {
      console.error(`build failed: ${e.message}`);
      process.exit(1);
    });
}
