/**
 * `npm run build`: one bundle per cloud function, dist/functions/<name>/index.js (esbuild, CommonJS,
 * `exports.main`), which is what serverless.yml deploys. The function registry
 * (shared/runtime/registry.ts) is the list; a function folder it does not name, or a name without a
 * folder, fails the build.
 *
 * What goes into a bundle, and why:
 * - The local adapters (SQLite through a native module, the simulators, the outboxes) are replaced
 *   by stubs that throw if ever constructed: the container imports them for ESM_PROVIDER=local,
 *   and a bundle only ever runs in the cloud. Anything else importing a local adapter fails the
 *   build rather than shipping a stand-in.
 * - A Tencent Cloud service client (FaceID, SMS, SES) and the WeChat Pay client are included only
 *   when some module of the function calls that port (`face.start(`, `sms.send(`, …; a
 *   destructured `{ sms } = deps` counts too). Otherwise the container's loader for it is a stub
 *   that reports "not in this bundle" as a provider error: the cold start never pays for a client
 *   the function cannot use. (scripts/build.ts only reads sources; the rule is checked by
 *   test/cloud/deploy.test.ts against the bundles.)
 * - Functions that render PDFs get the fonts from dist/functions/_fonts (one copy for all), named
 *   to fonts.ts before the function module loads; pdf-lib and fontkit stay out of every other bundle
 *   because nothing else imports them.
 * - Requiring a bundle does no I/O: clients are made on first use (the container), fonts read on
 *   first render.
 *
 * `--serverless` also rewrites serverless.yml from the registry (see renderServerlessYml).
 */
import { build, type Metafile, type Plugin } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { FUNCTIONS, type FunctionSpec } from '../shared/runtime/registry';

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

export type Port = 'face' | 'sms' | 'mailer' | 'payments';

/** The module each port's production client comes from, as cloud-deps.ts requires it. */
const PORT_MODULES: Record<string, Port> = {
  '../tencentcloud/faceid': 'face',
  '../tencentcloud/sms': 'sms',
  '../tencentcloud/ses': 'mailer',
  '../wechatpay/config': 'payments',
  '../wechatpay/payments': 'payments',
};

const PORT_CALLS: Record<Port, RegExp> = {
  face: /\bface\s*\.\s*(start|result)\s*\(/,
  sms: /\bsms\s*\.\s*send\s*\(/,
  mailer: /\bmailer\s*\.\s*send\s*\(/,
  payments: /\bpayments\s*\.\s*(createOrder|queryOrder|closeOrder|notificationKeys)\s*\(/,
};
const DESTRUCTURED = /\{([^{}]*)\}\s*=\s*[\w.]*\bdeps\b/g;

export interface BundleReport {
  name: string;
  kind: FunctionSpec['kind'];
  bytes: number;
  ports: Port[];
  pdf: boolean;
  /** Input modules, relative to the repository (for tests). */
  inputs: string[];
}

/** Ports a set of source files calls (the adapters themselves are not callers). */
export const portsCalled = (files: string[]): Set<Port> => {
  const used = new Set<Port>();
  for (const file of files) {
    if (!/\.(ts|js)$/.test(file) || file.includes(`${path.sep}adapters${path.sep}`) || file.includes('node_modules') || !fs.existsSync(file)) continue;
    const src = fs.readFileSync(file, 'utf8');
    for (const [port, re] of Object.entries(PORT_CALLS) as Array<[Port, RegExp]>) if (re.test(src)) used.add(port);
    for (const m of src.matchAll(DESTRUCTURED)) {
      for (const port of Object.keys(PORT_CALLS) as Port[]) if (new RegExp(`\\b${port}\\b`).test(m[1] ?? '')) used.add(port);
    }
  }
  return used;
};

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

const entryFor = (name: string, pdf: boolean): { contents: string; resolveDir: string; sourcefile: string; loader: 'ts' } => ({
  // PDF functions learn where the fonts are before their module (and fonts.ts) is used.
  contents: pdf
    ? [
        `import path from 'node:path';`,
        `import { configureDocumentFonts } from './shared/documents/fonts';`,
        `configureDocumentFonts({ regular: path.join(__dirname, '..', '${FONTS_DIR}', '${path.basename(FONT_FILES.regular)}'), bold: path.join(__dirname, '..', '${FONTS_DIR}', '${path.basename(FONT_FILES.bold)}') });`,
        `export { main } from './functions/${name}/index';`,
      ].join('\n')
    : `export { main } from './functions/${name}/index';`,
  resolveDir: ROOT,
  sourcefile: `functions/${name}/entry.ts`,
  loader: 'ts',
});

const options = (name: string, pdf: boolean) =>
  ({
    stdin: entryFor(name, pdf),
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
 * keeps the SDK's behaviour on every path we use (test/cloud/bundles.test.ts runs the bundles).
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

const inputsOf = (meta: Metafile): string[] => Object.keys(meta.inputs).map((p) => p.replace(/^[a-z-]+:/, ''));

export async function buildFunction(spec: FunctionSpec, outDir = DIST): Promise<BundleReport> {
  // Pass 1: which modules the function reaches, hence which ports it calls and whether it renders PDFs.
  const probe = await build({ ...options(spec.name, false), write: false, plugins: [localStubs(), sdkTrims()] });
  const reached = inputsOf(probe.metafile).map((p) => path.resolve(ROOT, p));
  const used = portsCalled(reached);
  const pdf = reached.some((p) => p.includes(`${path.sep}@cantoo${path.sep}pdf-lib${path.sep}`));
  const outfile = path.join(outDir, spec.name, 'index.js');
  const result = await build({ ...options(spec.name, pdf), outfile, plugins: [localStubs(), sdkTrims(), unusedClients(used)] });
  // Kept beside (not inside) the deployed folder, for `esbuild --analyze`-style questions.
  fs.mkdirSync(path.join(outDir, '..', 'meta'), { recursive: true });
  fs.writeFileSync(path.join(outDir, '..', 'meta', `${spec.name}.json`), JSON.stringify(result.metafile));
  return {
    name: spec.name,
    kind: spec.kind,
    bytes: fs.statSync(outfile).size,
    ports: [...used].sort(),
    pdf,
    inputs: inputsOf(result.metafile).sort(),
  };
}

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
  const reports: BundleReport[] = [];
  // A few at a time: esbuild is parallel inside; this keeps memory flat on small machines.
  const queue = [...FUNCTIONS];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let spec = queue.shift(); spec; spec = queue.shift()) {
        const r = await buildFunction(spec, outDir);
        reports.push(r);
        log(`${r.name.padEnd(28)} ${(r.bytes / 1024).toFixed(0).padStart(6)} KB  ${[r.pdf ? 'pdf' : '', ...r.ports].filter(Boolean).join(' ')}`);
      }
    }),
  );
  if (reports.some((r) => r.pdf)) {
    fs.mkdirSync(path.join(outDir, FONTS_DIR), { recursive: true });
    for (const f of Object.values(FONT_FILES)) fs.copyFileSync(require.resolve(f), path.join(outDir, FONTS_DIR, path.basename(f)));
  }
  reports.sort((a, b) => a.name.localeCompare(b.name));
  fs.writeFileSync(path.join(outDir, '..', 'bundles.json'), `${JSON.stringify(reports, null, 2)}\n`);
  return reports;
}

// ---- serverless.yml ----

/** Settings every function receives, by name: values come from the deployer's environment (or .env) at deploy time. */
export const DEPLOY_SETTINGS = [
  'ESIGN_TCB_ENV',
  'ESIGN_TCB_STORAGE_BUCKET',
  'ESIGN_FACEID_RULE_ID',
  'ESIGN_SMS_SDK_APP_ID',
  'ESIGN_SMS_SIGN_NAME',
  'ESIGN_SMS_TEMPLATE_IDS',
  'ESIGN_SES_FROM',
  'ESIGN_SES_TEMPLATE_ID',
  'ESIGN_SES_REGION',
  'ESIGN_SHARE_LINK_BASE',
  'ESIGN_CA_ROOT_CERT',
  'ESIGN_CA_ISSUING_CERT',
  'ESIGN_CA_ISSUING_KEY',
  'ESIGN_SIGNER_ID_SECRET',
  'WECHATPAY_MCHID',
  'WECHATPAY_APPID',
  'WECHATPAY_MERCHANT_SERIAL_NO',
  'WECHATPAY_MERCHANT_PRIVATE_KEY',
  'WECHATPAY_APIV3_KEY',
  'WECHATPAY_PUBLIC_KEY',
  'WECHATPAY_PUBLIC_KEY_ID',
  'WECHATPAY_NOTIFY_URL',
] as const;

export const WEBHOOK_HTTP_PATH = '/webhooks/payment';

/**
 * The multi-scf form (serverless-components/tencent-multi-scf): one `functions` entry per registry
 * function, `name` pinned (multi-scf otherwise names functions "<key>-<instance>-<stage>-<app>",
 * and the mini-program calls them by their own name), memory/timeout/environment on each entry
 * (multi-scf passes only namespace/runtime/description/code down from `inputs`, hence the YAML
 * anchor), timers as 7-field cron, the webhook on an API gateway trigger.
 */
export const renderServerlessYml = (functions: readonly FunctionSpec[] = FUNCTIONS): string => {
  const lines: string[] = [
    '# Generated from shared/runtime/registry.ts by `npx tsx scripts/build.ts --serverless`;',
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
      lines.push('      environment: &environment', '        - key: ESIGN_PROVIDER', '          value: cloud');
      for (const k of DEPLOY_SETTINGS) lines.push(`        - key: ${k}`, `          value: \${env:${k}}`);
    } else {
      lines.push('      environment: *environment');
    }
  });
  lines.push('  triggers:');
  for (const f of functions.filter((x) => x.kind === 'timer')) {
    lines.push('    - type: timer', `      function: ${f.name}`, '      parameters:', `        name: ${f.name}`, `        cronExpression: '${f.schedule}'`, '        enable: true');
  }
  const webhooks = functions.filter((x) => x.kind === 'webhook');
  if (webhooks.length) {
    lines.push(
      '    # WeChat Pay posts payment notifications here; WECHATPAY_NOTIFY_URL must be this HTTPS URL.',
      '    # The function answers statusCode/headers/body itself: switch on integrated response',
      '    # (集成响应) for this API after the first deploy — multi-scf cannot set it (docs/DEPLOY.md).',
      '    - type: apigw',
      '      parameters:',
      '        name: esign_webhooks',
      '        protocols:',
      '          - https',
      '        environment: release',
      '        apis:',
    );
    for (const f of webhooks) {
      lines.push(`          - path: ${WEBHOOK_HTTP_PATH}`, '            method: POST', `            function: ${f.name}`, '            enableCORS: false', `            serviceTimeout: ${f.timeoutS}`);
    }
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
