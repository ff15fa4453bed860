/**
 * `npm run build`: what the CloudBase CLI deploys, from the function registry
 * (shared/runtime/registry.ts), which is the list (a function folder it does not name, or a name
 * without a folder, fails the build):
 *  - dist/functions/<name>/index.js — one bundle per function (esbuild, CommonJS, `exports.main`),
 *    the only file in its folder: cloudbaserc.json's `functionRoot`, so `tcb fn deploy` uploads
 *    exactly the bundle;
 *  - dist/zips/<name>.zip — the same folder zipped as the CLI uploads it, to check its size
 *    against the platform's limits (test/cloud/deploy.test.ts);
 *  - dist/layers/esign-fonts.zip — the fonts as an SCF layer (unpacked under /opt), which only the
 *    PDF functions attach: one upload (~17.5 MB zipped, 29 MB unpacked) instead of one per function.
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
 * - Functions that declare `pdf` find the fonts in the layer (/opt/fonts), or beside the build
 *   output when a test runs the bundle here; fonts.ts is told on the function's first call.
 *   pdf-lib and fontkit stay out of every other bundle because nothing else imports them.
 * - Requiring a bundle does no I/O: clients are made on first use (the container), fonts read on
 *   first render.
 *
 * `--deploy-config` also rewrites cloudbaserc.json from the registry (see cloudbaseConfig).
 */
import { build, type Metafile, type Plugin } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { strToU8, zipSync, type Zippable } from 'fflate';
import type { ICloudFunction } from '@cloudbase/manager-node/types/interfaces';
import { FUNCTIONS, type FunctionSpec, type ProviderPort } from '../shared/runtime/registry';

const ROOT = path.resolve(__dirname, '..');
export const DIST = path.join(ROOT, 'dist', 'functions');
/**
 * The fonts layer: the alias `tcb fn layer create <alias>` is given (the CLI names the layer
 * `<alias>_<envId>`), the version cloudbaserc.json attaches (the first one created), and where
 * SCF unpacks it (layers go under /opt).
 */
export const FONTS_LAYER = { name: 'esign-fonts', layerName: 'esign-fonts_{{env.ESIGN_TCB_ENV}}', version: 1, mount: '/opt/fonts' } as const;
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
        `import fs from 'node:fs';`,
        `import path from 'node:path';`,
        `import { main as handler } from './functions/${name}/index';`,
        `let fontsConfigured = false;`,
        `export const main = (event: unknown, context?: unknown) => {`,
        `  if (!fontsConfigured) {`,
        `    const { configureDocumentFonts } = require('./shared/documents/fonts') as typeof import('./shared/documents/fonts');`,
        // SCF unpacks the layer under /opt; a bundle run from the build output finds the layer's folder beside it.
        `    const dir = fs.existsSync('${FONTS_LAYER.mount}') ? '${FONTS_LAYER.mount}' : path.join(__dirname, '..', '..', 'layers', '${FONTS_LAYER.name}', 'fonts');`,
        `    configureDocumentFonts({ regular: path.join(dir, '${path.basename(FONT_FILES.regular)}'), bold: path.join(dir, '${path.basename(FONT_FILES.bold)}') });`,
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

/** The SCF runtime every function runs on (CloudBase: Nodejs24.11 recommended, 22.21, 20.19), and esbuild's target for it. */
export const RUNTIME = 'Nodejs22.21';
export const NODE_TARGET = 'node22.21';

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
    target: NODE_TARGET,
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
/** Path parsing shared by the lodash.set / lodash.unset stand-ins: `a.b[0].c` or an array of keys. */
const SAFE_PATH_JS = 'const unsafe = (k) => k === "__proto__" || k === "constructor" || k === "prototype"; const keysOf = (p) => Array.isArray(p) ? p.map(String) : String(p).replace(/\\[([^\\]]*)\\]/g, ".$1").split(".").filter((k) => k !== "");\n';

const SDK_TRIMS: Record<string, { why: string; contents?: string }> = {
  '@cloudbase/ai': { why: 'CloudBase AI (app.ai()), not used' },
  '@cloudbase/app': { why: 'the web SDK core, only reached from app.ai()' },
  'web-streams-polyfill': { why: 'streams for app.ai() responses' },
  '@cloudbase/wx-cloud-client-sdk': { why: 'data models and MySQL clients; tcb.init builds them inside try/catch' },
  jsonwebtoken: { why: 'custom login tickets (app.auth()), not used' },
  xmlbuilder: { why: 'xml2js.Builder; only the parser reads COS error bodies' },
  // node-fetch (Tencent Cloud SDK) prefers Node's own url.URL and never calls whatwg-url's.
  'whatwg-url': { why: '', contents: "const { URL, URLSearchParams } = require('node:url'); module.exports = { URL, URLSearchParams };" },
  // lodash.set / lodash.unset 4.x (the database SDK's realtime watch, which we never open) have a
  // published high prototype-pollution advisory with no fixed release: the bundles carry these
  // equivalents, which refuse __proto__, constructor and prototype path segments.
  'lodash.set': { why: '', contents: SAFE_PATH_JS + 'module.exports = function set(obj, path, value) { if (obj === null || typeof obj !== "object") return obj; const ks = keysOf(path); if (!ks.length || ks.some(unsafe)) return obj; let o = obj; for (let i = 0; i < ks.length - 1; i++) { const k = ks[i]; if (o[k] === null || typeof o[k] !== "object") o[k] = /^\\d+$/.test(ks[i + 1]) ? [] : {}; o = o[k]; } o[ks[ks.length - 1]] = value; return obj; };' },
  'lodash.unset': { why: '', contents: SAFE_PATH_JS + 'module.exports = function unset(obj, path) { if (obj === null || typeof obj !== "object") return true; const ks = keysOf(path); if (!ks.length || ks.some(unsafe)) return false; let o = obj; for (let i = 0; i < ks.length - 1; i++) { o = o[ks[i]]; if (o === null || typeof o !== "object") return true; } return delete o[ks[ks.length - 1]]; };' },
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

/** A package's stand-in source, for tests. */
export const sdkStandIn = (name: string): string | undefined => SDK_TRIMS[name]?.contents;

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

/** The output folders beside dist/functions. */
export const outputDirs = (outDir = DIST) => ({ functions: outDir, zips: path.join(outDir, '..', 'zips'), layers: path.join(outDir, '..', 'layers') });

/** Fixed timestamps: the same bundle gives the same zip, so a redeploy of an unchanged function uploads the same bytes. */
const ZIP_TIME = new Date('2026-01-01T00:00:00Z');

/** Zips a folder's files (relative paths, sorted). */
const zipFolder = (dir: string): Uint8Array => {
  const files: Zippable = {};
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const r = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(r);
      else files[r] = [fs.readFileSync(path.join(dir, r)), { mtime: ZIP_TIME }];
    }
  };
  walk('');
  return zipSync(files, { level: 6 }); // deflate's default: fonts barely shrink further at 9, which is slower
};

export async function buildAll(log: (line: string) => void = () => undefined, outDir = DIST): Promise<BundleReport[]> {
  checkFunctionFolders();
  const dirs = outputDirs(outDir);
  for (const d of Object.values(dirs)) {
    fs.rmSync(d, { recursive: true, force: true });
    fs.mkdirSync(d, { recursive: true });
  }
  const reports = await buildFunctions(FUNCTIONS, outDir);
  for (const r of reports) {
    fs.writeFileSync(path.join(dirs.zips, `${r.name}.zip`), zipFolder(path.join(outDir, r.name)));
    log(`${r.name.padEnd(28)} ${(r.bytes / 1024).toFixed(0).padStart(6)} KB  ${[r.pdf ? 'pdf' : '', ...r.ports].filter(Boolean).join(' ')}`);
  }
  if (reports.some((r) => r.pdf)) {
    const layer = path.join(dirs.layers, FONTS_LAYER.name);
    fs.mkdirSync(path.join(layer, 'fonts'), { recursive: true });
    for (const f of Object.values(FONT_FILES)) fs.copyFileSync(require.resolve(f), path.join(layer, 'fonts', path.basename(f)));
    fs.writeFileSync(path.join(dirs.layers, `${FONTS_LAYER.name}.zip`), zipFolder(layer));
  }
  fs.writeFileSync(path.join(outDir, '..', 'bundles.json'), `${JSON.stringify(reports, null, 2)}\n`);
  return reports;
}

// ---- cloudbaserc.json ----

/**
 * Settings every function receives, by name (docs/DEPLOY.md says what each is): the values come
 * from the deployer's .env at deploy time (`{{env.NAME}}`, the CloudBase CLI's template), never
 * from this repository. Optional ones may be left empty: config.ts treats an empty value as
 * unset, so the code's default applies. No secret is among them (those are in SSM).
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
  'ESIGN_CA_KMS_KEY_ID',
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

/** Variables the code reads that cloudbaserc.json must not set, and why (test/cloud/deploy.test.ts keeps this complete). */
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

/** The settings only functions that take payments read: the others do not get them (SCF's 4 KB of environment per function). */
export const PAYMENT_SETTINGS: ReadonlySet<string> = new Set(DEPLOY_SETTINGS.filter((k) => k.startsWith('WECHATPAY_') || k === 'ESIGN_PAYMENT_RECONCILE_MINUTES'));

/** The environment a function is deployed with, by name → value template. */
export const functionEnvironment = (spec: FunctionSpec): Record<string, string> => ({
  ...DEPLOY_FIXED,
  ...Object.fromEntries(DEPLOY_SETTINGS.filter((k) => spec.ports.includes('payments') || !PAYMENT_SETTINGS.has(k)).map((k) => [k, `{{env.${k}}}`])),
});

/** The CAM role every function runs as (docs/DEPLOY.md creates it with the least-privilege policy). */
export const FUNCTION_ROLE = 'esign_functions';

/** One function as the CloudBase CLI reads it (`tcb fn deploy`), typed by the manager library the CLI deploys with. */
export type DeployedFunction = ICloudFunction & { dir: string };

export interface CloudBaseRc {
  version: '2.0';
  envId: string;
  $schema: string;
  functionRoot: string;
  functions: DeployedFunction[];
}

/**
 * cloudbaserc.json for the CloudBase CLI (@cloudbase/cli 2.x, `tcb fn deploy`;
 * docs.cloudbase.net/cli-v1/functions/configs): one entry per registry function, its folder of
 * dist/functions holding only its bundle (`installDependency: false`: the bundle needs no
 * node_modules), the runtime, memory, timeout, the CAM role, the fonts layer for the PDF
 * functions, its environment (templates filled from .env at deploy time) and, for timers, a timer
 * trigger with the 7-field cron. Logs go to the environment's CLS topic, which the CLI binds
 * every function to (manager-node sets ClsLogsetId/ClsTopicId from the environment's log service).
 * The payment webhook's public HTTP path is not a function setting in CloudBase: the setup command
 * creates it (HTTP 访问服务, scripts/setup-cloudbase.ts).
 */
export const cloudbaseConfig = (functions: readonly FunctionSpec[] = FUNCTIONS): CloudBaseRc => ({
  version: '2.0',
  envId: '{{env.ESIGN_TCB_ENV}}',
  $schema: 'https://framework-1258016615.tcloudbaseapp.com/schema/latest.json',
  functionRoot: './dist/functions',
  functions: functions.map((f) => ({
    name: f.name,
    dir: f.name,
    description: f.summary,
    handler: 'index.main',
    runtime: RUNTIME,
    memorySize: f.memoryMb,
    timeout: f.timeoutS,
    role: FUNCTION_ROLE,
    installDependency: false,
    ...(f.pdf ? { layers: [{ name: FONTS_LAYER.layerName, version: FONTS_LAYER.version }] } : {}),
    envVariables: functionEnvironment(f),
    ...(f.kind === 'timer' ? { triggers: [{ name: f.name, type: 'timer', config: f.schedule! }] } : {}),
  })),
});

/** The file as written: JSON.stringify of cloudbaseConfig, never assembled by hand. */
export const renderCloudbaseRc = (functions: readonly FunctionSpec[] = FUNCTIONS): string => `${JSON.stringify(cloudbaseConfig(functions), null, 2)}\n`;

if (require.main === module) {
  const started = Date.now();
  if (process.argv.includes('--deploy-config')) fs.writeFileSync(path.join(ROOT, 'cloudbaserc.json'), renderCloudbaseRc());
  buildAll((line) => console.log(line))
    .then((reports) => {
      const total = reports.reduce((n, r) => n + r.bytes, 0);
      console.log(`${reports.length} bundles, ${(total / 1024 / 1024).toFixed(1)} MB, in ${((Date.now() - started) / 1000).toFixed(1)} s → ${path.relative(ROOT, DIST)}`);
    })
    .catch((e: Error) => {
      console.error(`build failed: ${e.message}`);
      process.exit(1);
    });
}
