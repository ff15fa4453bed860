/**
 * E3 the evidence bundle (test/evidence/bundle-kinds.test.ts), unchanged, on ESIGN_PROVIDER=cloud:
 * the root the bundle carries comes from the signing keys as the cloud holds them (SSM), the
 * anchors from the TSA client, the files from CloudBase storage — and esign-verify passes it.
 */
process.env.ESIGN_E2E_PROVIDER = 'cloud';
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('../evidence/bundle-kinds.test');
