/**
 * The OpenAPI 3.1 document at GET /openapi.json, for HTTP integrators of the emulator: one
 * POST /fn/<name> per callable function, its request body the function's input schema
 * (schemas/functions/<name>.json) and its 200 answer the envelope around its output schema
 * (schemas/outputs/<name>.output.json) — the same files the functions and the typed client use.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ERRORS } from '../shared/errors';
import { FUNCTIONS } from '../shared/runtime/registry';

const SCHEMAS = path.join(__dirname, '..', 'schemas');
const readJson = (p: string): Record<string, unknown> | null => (fs.existsSync(p) ? (JSON.parse(fs.readFileSync(p, 'utf8')) as Record<string, unknown>) : null);
/** OpenAPI 3.1 is JSON Schema 2020-12: a draft-07 `$schema` line would say otherwise, so it is dropped. */
const strip = ({ $schema: _s, ...rest }: Record<string, unknown>) => rest;

export const openApiDocument = (): Record<string, unknown> => {
  const paths: Record<string, unknown> = {};
  const components: Record<string, unknown> = {
    Error: {
      type: 'object', required: ['ok', 'error'],
      properties: { ok: { const: false }, error: { type: 'object', required: ['code', 'message'], properties: { code: { enum: Object.keys(ERRORS) }, message: { type: 'string' }, details: { type: 'object' } } } },
    },
  };
  for (const spec of FUNCTIONS.filter((f) => f.kind === 'call')) {
    const input = readJson(path.join(SCHEMAS, 'functions', `${spec.name}.json`));
    const output = readJson(path.join(SCHEMAS, 'outputs', `${spec.name}.output.json`));
    paths[`/fn/${spec.name}`] = {
      post: {
        operationId: spec.name,
        summary: spec.summary,
        parameters: [{ name: 'x-openid', in: 'header', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' }, description: 'The caller (in the cloud: the WeChat context)' }],
        requestBody: { required: true, content: { 'application/json': { schema: input ? strip(input) : { type: 'object' } } } },
        responses: {
          '200': { description: 'ok', content: { 'application/json': { schema: { type: 'object', required: ['ok', 'data'], properties: { ok: { const: true }, data: output ? strip(output) : {} } } } } },
          default: { description: 'refused: a stable error code and the product\'s Chinese message', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
        },
      },
    };
  }
  return { openapi: '3.1.0', info: { title: '电子签个人版 · cloud functions (local emulator)', version: '0.1.0' }, servers: [{ url: 'http://127.0.0.1:8787' }], paths, components: { schemas: components } };
};
