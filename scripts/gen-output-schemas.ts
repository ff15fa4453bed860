/**
 * Output schemas (schemas/outputs/<fn>.output.json) learnt from real answers: the end-to-end tests
 * run with ESIGN_RECORD_OUTPUTS=DIR append every ok answer to DIR/<fn>.jsonl; this merges those
 * samples with the schema already checked in (a field seen once stays described) into a JSON
 * Schema per function: each value's types, each object's properties, `required` = the keys every
 * sample had, arrays by their items. Plus _envelope.output.json, the { ok, data | error } wrapper.
 * The checked-in schemas are then what the e2e helper validates every answer against.
 *   npx tsx scripts/gen-output-schemas.ts DIR
 */
import fs from 'node:fs';
import path from 'node:path';

type Schema = Record<string, any>;
const OUT = path.resolve(__dirname, '..', 'schemas', 'outputs');

const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v);

const types = (s: Schema): string[] => (s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type]);

/** The schema of one value. */
export const infer = (v: unknown): Schema => {
  const t = typeOf(v);
  if (t === 'array') return { type: 'array', items: (v as unknown[]).map(infer).reduce<Schema | null>((a, b) => (a ? merge(a, b) : b), null) ?? {} };
  if (t === 'object') {
    const o = v as Record<string, unknown>;
    return { type: 'object', properties: Object.fromEntries(Object.keys(o).sort().map((k) => [k, infer(o[k])])), required: Object.keys(o).sort() };
  }
  return { type: t };
};

/** The schema both values satisfy. */
export const merge = (a: Schema, b: Schema): Schema => {
  if (Object.keys(a).length === 0 || Object.keys(b).length === 0) return {};
  let ts = [...new Set([...types(a), ...types(b)])];
  if (ts.includes('number')) ts = ts.filter((t) => t !== 'integer');
  const out: Schema = { type: ts.length === 1 ? ts[0] : ts.sort() };
  if (ts.includes('object')) {
    const pa = a.properties ?? {}, pb = b.properties ?? {};
    const keys = [...new Set([...Object.keys(pa), ...Object.keys(pb)])].sort();
    out.properties = Object.fromEntries(keys.map((k) => [k, pa[k] && pb[k] ? merge(pa[k], pb[k]) : pa[k] ?? pb[k]]));
    const ra: string[] = types(a).includes('object') ? a.required ?? [] : (b.required ?? []);
    const rb: string[] = types(b).includes('object') ? b.required ?? [] : ra;
    out.required = ra.filter((k) => rb.includes(k)).sort();
  }
  if (ts.includes('array')) out.items = a.items && b.items ? merge(a.items, b.items) : a.items ?? b.items ?? {};
  return out;
};

export const ENVELOPE: Schema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Envelope',
  oneOf: [
    { type: 'object', required: ['ok', 'data'], properties: { ok: { const: true }, data: {} } },
    {
      type: 'object', required: ['ok', 'error'], properties: {
        ok: { const: false },
        error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string', pattern: '^[A-Z_]+$' }, message: { type: 'string' }, details: { type: 'object' } } },
      },
    },
  ],
};

const titleOf = (fn: string): string => `${fn.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase())}Output`;

if (require.main === module) {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: gen-output-schemas.ts SAMPLES_DIR');
  fs.mkdirSync(OUT, { recursive: true });
  fs.writeFileSync(path.join(OUT, '_envelope.output.json'), `${JSON.stringify(ENVELOPE, null, 2)}\n`);
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.jsonl')).sort()) {
    const fn = f.replace(/\.jsonl$/, '');
    const file = path.join(OUT, `${fn}.output.json`);
    const { $schema: _s, title: _t, description: _d, ...old } = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : ({} as Schema);
    const samples = fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => infer(JSON.parse(l)));
    const merged = samples.reduce((a, b) => merge(a, b), Object.keys(old).length ? old : samples[0]!);
    const schema = { $schema: 'http://json-schema.org/draft-07/schema#', title: titleOf(fn), description: `What ${fn} answers in data (learnt from the end-to-end tests' answers: scripts/gen-output-schemas.ts).`, ...merged };
    fs.writeFileSync(file, `${JSON.stringify(schema, null, 2)}\n`);
    console.log(`${fn}: ${samples.length} samples`);
  }
}
