/**
 * Issue 16 item 7: @cloudbase/node-sdk pins axios 0.27.2 (published SSRF/DoS advisories);
 * package.json overrides it to 1.21.1. The SDK's calls to axios — `requestClient` (extensions)
 * and the SCF metadata lookup — go through `__importDefault(require("axios")).default`, so they
 * must keep working whichever major is installed: this drives the SDK's own axios against a
 * local HTTP server. The database and storage paths (test/cloud/store.test.ts,
 * test/cloud/providers.test.ts) use the SDK's own HTTP client and run against the local CloudBase
 * server with either version.
 */
import http from 'node:http';
import { createCloudBaseApp } from '../../shared/adapters/cloudbase/app';

let server: http.Server;
let url: string;
const seen: Array<{ method?: string; path?: string }> = [];
beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push({ method: req.method, path: req.url });
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ ok: true, path: req.url }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

test('the SDK\'s axios (requestClient) makes a request and parses JSON, as the override version does', async () => {
  const app = createCloudBaseApp({ envId: 'esign-test', credentials: { secretId: 'AKIDtest', secretKey: 'k' }, timeoutMs: 2000 });
  const client = (app as unknown as { requestClient: { get: (u: string) => Promise<{ status: number; data: unknown }> } }).requestClient;
  const r = await client.get(`${url}/meta/latest/app-id`);
  expect(r.status).toBe(200);
  expect(r.data).toEqual({ ok: true, path: '/meta/latest/app-id' });
  expect(seen).toEqual([{ method: 'GET', path: '/meta/latest/app-id' }]);
});

test('the lockfile resolves axios to the overridden, fixed version for every dependent', () => {
  const lock = require('../../package-lock.json') as { packages: Record<string, { version?: string }> };
  const pkg = require('../../package.json') as { overrides: Record<string, string> };
  const axios = Object.entries(lock.packages).filter(([k]) => /(^|\/)node_modules\/axios$/.test(k));
  expect(axios.map(([, v]) => v.version)).toEqual([pkg.overrides.axios]);
  expect(pkg.overrides.axios).toBe('1.21.1');
});
