/**
 * The output schemas (schemas/outputs/<fn>.output.json) checked on every answer the end-to-end
 * tests receive: an ok answer against the function's `data` schema, a refusal against the error
 * envelope. ESIGN_RECORD_OUTPUTS=DIR also appends each ok answer to DIR/<fn>.jsonl, the samples
 * scripts/gen-output-schemas.ts learns new fields from.
 */
import fs from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

const DIR = path.join(__dirname, '..', '..', 'schemas', 'outputs');
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const cache = new Map<string, ValidateFunction | null>();

const validator = (name: string): ValidateFunction | null => {
  if (!cache.has(name)) {
    const file = path.join(DIR, `${name}.output.json`);
    cache.set(name, fs.existsSync(file) ? ajv.compile(JSON.parse(fs.readFileSync(file, 'utf8'))) : null);
  }
  return cache.get(name)!;
};

export class AnswerShapeError extends Error {}

export const checkAnswer = (name: string, json: any): void => {
  const record = process.env.ESIGN_RECORD_OUTPUTS;
  if (record && json?.ok === true) {
    fs.mkdirSync(record, { recursive: true });
    fs.appendFileSync(path.join(record, `${name}.jsonl`), `${JSON.stringify(json.data)}\n`);
    return; // recording: the schemas are being (re)learnt
  }
  const envelope = validator('_envelope');
  if (envelope && !envelope(json)) throw new AnswerShapeError(`${name}: the answer is not an envelope: ${ajv.errorsText(envelope.errors)}`);
  if (json?.ok !== true) return;
  const v = validator(name);
  if (!v) throw new AnswerShapeError(`${name}: no output schema at schemas/outputs/${name}.output.json`);
  if (!v(json.data)) throw new AnswerShapeError(`${name}: the answer does not match schemas/outputs/${name}.output.json: ${ajv.errorsText(v.errors)}`);
};
