/**
 * The layers hold (DESIGN: operations and modules see ports only; adapters never import the
 * runtime; the emulator does not reach into modules): every import of every .ts file under
 * shared/, functions/ and emulator/ is read (TypeScript's own pre-processor: static imports,
 * `import type`, re-exports, require() and import()), resolved to a file, and checked against
 * FORBIDDEN below — each edge with the reason it is forbidden. shared/operations/ must hold exactly
 * one file per registered function (and its README). The checker is tested on fake input first,
 * so a rule that can never fire fails here.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { FUNCTIONS } from '../../shared/runtime/registry';

const ROOT = path.resolve(__dirname, '..', '..');
const MODULES = ['contracts', 'kinds', 'payments', 'evidence', 'identity', 'messages', 'repayments', 'store'].map((m) => `shared/${m}/`);
const PURE = ['shared/domain/', 'shared/lifecycle/', 'shared/rules/'];

interface Rule {
  /** Importers: repository paths starting with one of these. */
  from: string[];
  /** Imported files: repository paths starting with one of these… */
  to: string[];
  /** …unless they start with one of these. */
  except?: string[];
  why: string;
}

export const FORBIDDEN: Rule[] = [
  { from: ['shared/operations/'], to: ['shared/runtime/'], why: 'operations see ports only: Deps, OpContext, Operation and requireCaller live in shared/ports/operation.ts' },
  { from: ['shared/operations/'], to: ['shared/adapters/'], why: 'an operation reaches a provider through its port, never its adapter' },
  { from: MODULES, to: ['shared/runtime/', 'shared/adapters/', 'shared/operations/'], why: 'modules hold the rules and see ports only; operations use modules, not the reverse' },
  { from: ['shared/ports/'], to: ['shared/'], except: ['shared/ports/', 'shared/errors.ts', 'shared/rules/'], why: 'ports are interfaces: they may name error codes and rule types, nothing that does work' },
  { from: ['shared/domain/'], to: ['shared/'], except: ['shared/domain/', 'shared/errors.ts', 'shared/ports/store.ts'], why: 'the domain is pure data shapes' },
  { from: ['shared/lifecycle/'], to: ['shared/'], except: ['shared/lifecycle/', 'shared/domain/', 'shared/errors.ts', 'shared/ports/'], why: 'the transition table is pure: it decides, contracts/transition.ts commits' },
  { from: ['shared/rules/'], to: ['shared/'], except: ['shared/rules/', 'shared/errors.ts'], why: 'rules are pure: everything they need is passed in' },
  { from: ['shared/documents/'], to: ['shared/'], except: ['shared/documents/', 'shared/rules/', 'shared/errors.ts', 'shared/ports/tsa.ts', 'shared/ports/issuer-signer.ts'], why: 'documents is a PDF library: no store, no ports (but the timestamp authority and the issuing CA signer it is handed, E1, C10), no product modules' },
  { from: PURE.concat('shared/documents/', 'shared/kinds/'), to: ['shared/ports/index.ts', 'shared/ports/operation.ts'], why: 'pure code takes no Deps: it does no I/O' },
  { from: ['shared/adapters/'], to: ['shared/runtime/'], why: 'the container depends on adapters, never the reverse' },
  { from: ['shared/adapters/'], to: ['shared/operations/', ...MODULES], except: ['shared/store/collections.ts', 'shared/messages/sms-texts.ts'], why: 'adapters implement ports and know no product rule (they may read the collection specs and the SMS texts)' },
  { from: ['shared/adapters/wechatpay/'], to: ['shared/'], except: ['shared/adapters/wechatpay/', 'shared/ports/', 'shared/errors.ts'], why: 'the WeChat Pay protocol stands alone behind the Payments port' },
  { from: ['shared/runtime/'], to: ['shared/operations/', ...MODULES], why: 'the runtime wraps operations it is handed (functions/) and knows no product rule' },
  { from: ['shared/'], to: ['emulator/', 'functions/', 'test/', 'scripts/', 'bench/'], why: 'shared code is what functions are built from: it never reaches back out' },
  { from: ['emulator/'], to: MODULES, except: MODULES.map((m) => `${m}index.ts`).concat('shared/store/collections.ts'), why: 'the emulator reaches bookkeeping through operations, ports or a module\'s public face (index.ts), never its internals' },
  { from: ['emulator/'], to: ['shared/adapters/'], except: ['shared/adapters/local/'], why: 'the emulator controls the local adapters only' },
  { from: ['emulator/'], to: [...PURE, 'shared/documents/', 'shared/lifecycle/'], why: 'the emulator is a front door: rules belong to operations and modules' },
  { from: ['functions/'], to: [...MODULES, ...PURE, 'shared/documents/', 'shared/ports/'], why: 'an entry only wraps its operation: handle(name, schema, operation)' },
  { from: ['functions/'], to: ['shared/adapters/'], except: ['shared/adapters/wechatpay/notification.ts'], why: 'an entry wraps its operation; payment-notify alone names the provider\'s refusal for a fault before any container exists' },
];

const posix = (p: string) => p.split(path.sep).join('/');

/** The repository paths a source file imports (relative specifiers only; packages are not layers). */
export const importsOf = (file: string, source: string, exists: (p: string) => boolean = (p) => fs.existsSync(path.join(ROOT, p)) && fs.statSync(path.join(ROOT, p)).isFile()): string[] => {
  const info = ts.preProcessFile(source, true, true);
  const out: string[] = [];
  for (const ref of info.importedFiles) {
    if (!ref.fileName.startsWith('.')) continue;
    const base = posix(path.normalize(path.join(path.dirname(file), ref.fileName)));
    const hit = [`${base}.ts`, `${base}/index.ts`, base].find(exists);
    out.push(hit ?? base);
  }
  return out;
};

const starts = (p: string, prefixes: string[]) => prefixes.some((x) => p.startsWith(x));

/** Every forbidden edge among `edges`, named with its rule's reason. */
export const violations = (edges: Array<{ from: string; to: string }>, rules: Rule[] = FORBIDDEN): string[] => {
  const out: string[] = [];
  for (const { from, to } of edges) {
    for (const r of rules) {
      if (starts(from, r.from) && starts(to, r.to) && !starts(to, r.except ?? [])) out.push(`${from} → ${to}: ${r.why}`);
    }
  }
  return out;
};

/** What is wrong with shared/operations/ given its entries (files and folders, folders ending in /). */
export const operationsFolderProblems = (entries: string[], functionNames: string[]): string[] => {
  const wanted = new Set(functionNames.map((n) => `${n}.ts`));
  const problems = entries.filter((e) => e !== 'README.md' && !wanted.has(e)).map((e) => `shared/operations/${e} is not the operation of a registered function`);
  for (const w of wanted) if (!entries.includes(w)) problems.push(`shared/operations/${w} is missing`);
  return problems;
};

const walk = (dir: string, out: string[] = []): string[] => {
  for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
};

describe('the checker itself (so the rules below can fail)', () => {
  test('reads static, type-only, re-exported, required and dynamic imports, resolved to files', () => {
    const src = [
      "import { a } from '../runtime/container';",
      "import type { B } from '../adapters/wechatpay/notification';",
      "export { c } from './kit/helpers';",
      "const d = require('../runtime/config');",
      "type E = typeof import('../payments/orders');",
      "import pino from 'pino';",
    ].join('\n');
    const exists = (p: string) => ['shared/runtime/container.ts', 'shared/runtime/config.ts', 'shared/payments/orders.ts', 'shared/operations/kit/helpers/index.ts'].includes(p);
    expect(importsOf('shared/operations/fake.ts', src, exists)).toEqual([
      'shared/runtime/container.ts',
      'shared/adapters/wechatpay/notification',
      'shared/operations/kit/helpers/index.ts',
      'shared/runtime/config.ts',
      'shared/payments/orders.ts',
    ]);
  });

  test('a fake forbidden import is reported with its reason; an allowed one is not', () => {
    const found = violations([
      { from: 'shared/operations/fake.ts', to: 'shared/runtime/container.ts' },
      { from: 'shared/adapters/cloudbase/fake.ts', to: 'shared/runtime/config.ts' },
      { from: 'emulator/fake.ts', to: 'shared/payments/orders.ts' },
      { from: 'emulator/fake.ts', to: 'shared/payments/index.ts' },
      { from: 'shared/operations/fake.ts', to: 'shared/ports/operation.ts' },
      { from: 'shared/adapters/local/fake.ts', to: 'shared/store/collections.ts' },
    ]);
    expect(found).toEqual([
      'shared/operations/fake.ts → shared/runtime/container.ts: operations see ports only: Deps, OpContext, Operation and requireCaller live in shared/ports/operation.ts',
      'shared/adapters/cloudbase/fake.ts → shared/runtime/config.ts: the container depends on adapters, never the reverse',
      "emulator/fake.ts → shared/payments/orders.ts: the emulator reaches bookkeeping through operations, ports or a module's public face (index.ts), never its internals",
    ]);
  });

  test('a helper, a folder or a missing operation in shared/operations/ is reported', () => {
    expect(operationsFolderProblems(['README.md', 'contract-get.ts', 'requests.ts', 'kit/'], ['contract-get', 'contract-list'])).toEqual([
      'shared/operations/requests.ts is not the operation of a registered function',
      'shared/operations/kit/ is not the operation of a registered function',
      'shared/operations/contract-list.ts is missing',
    ]);
    expect(operationsFolderProblems(['README.md', 'contract-get.ts'], ['contract-get'])).toEqual([]);
  });
});

describe('the code', () => {
  const files = ['shared', 'functions', 'emulator'].flatMap((d) => walk(d));
  const edges = files.flatMap((from) => importsOf(from, fs.readFileSync(path.join(ROOT, from), 'utf8')).map((to) => ({ from, to })));

  test('reads the imports of every file (a parser that found nothing would pass everything)', () => {
    expect(files.length).toBeGreaterThan(150);
    expect(edges).toContainEqual({ from: 'shared/operations/contract-sign.ts', to: 'shared/contracts/transition.ts' });
    expect(edges).toContainEqual({ from: 'shared/runtime/container.ts', to: 'shared/adapters/cloudbase/cloud-deps.ts' });
  });

  test('no import crosses a layer the wrong way', () => {
    expect(violations(edges)).toEqual([]);
  });

  test('shared/operations/ holds one file per registered function and nothing else', () => {
    const entries = fs.readdirSync(path.join(ROOT, 'shared/operations'), { withFileTypes: true }).map((e) => (e.isDirectory() ? `${e.name}/` : e.name));
    expect(operationsFolderProblems(entries, FUNCTIONS.map((f) => f.name))).toEqual([]);
  });

  test('each entry wraps its own operation, and only it', () => {
    for (const f of FUNCTIONS) {
      const from = `functions/${f.name}/index.ts`;
      const ops = edges.filter((e) => e.from === from && e.to.startsWith('shared/operations/')).map((e) => e.to);
      expect([f.name, ops]).toEqual([f.name, [`shared/operations/${f.name}.ts`]]);
    }
  });
});
