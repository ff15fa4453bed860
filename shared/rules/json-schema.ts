/**
 * Validation against a JSON Schema (a function's input, schemas/functions/<name>.json; a kind's
 * form, schemas/templates/<kind>.json), compiled once per cold start. Pure (no I/O): the runtime
 * checks every payload with it, contract-create a kind's form. Errors name the field and the rule,
 * never the submitted value (it may be an ID number).
 */
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { AppError } from '../errors';

let ajv: Ajv | null = null;
const compiled = new Map<object, ValidateFunction>();

const getAjv = (): Ajv => {
  if (!ajv) {
    ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, useDefaults: true });
    addFormats(ajv, ['date', 'date-time', 'email', 'uri']);
  }
  return ajv;
};

export const validatorFor = (schema: object): ValidateFunction => {
  let v = compiled.get(schema);
  if (!v) {
    v = getAjv().compile(schema);
    compiled.set(schema, v);
  }
  return v;
};

export const validatePayload = (schema: object, payload: unknown): void => {
  const validate = validatorFor(schema);
  if (validate(payload)) return;
  const fields = (validate.errors ?? []).slice(0, 10).map((e) => ({
    field: e.instancePath || '/',
    rule: e.keyword,
    ...(e.keyword === 'additionalProperties' ? { property: (e.params as { additionalProperty: string }).additionalProperty } : {}),
    ...(e.keyword === 'required' ? { property: (e.params as { missingProperty: string }).missingProperty } : {}),
  }));
  throw new AppError('VALIDATION_FAILED', undefined, { fields });
};
