#!/usr/bin/env node
/*
 * The package's `esign-verify` bin (E3): a plain JS entry, so that running it needs no
 * TypeScript at runtime. It runs the single-file build (`npm run build:verifier` →
 * dist/esign-verify.cjs, bundled by esbuild) when there is one; inside the repository without a
 * build it runs the TypeScript source through tsx, which the repository has for its scripts
 * (only there, as a development tool — never in a deployed bundle).
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

process.env.ESIGN_VERIFY_MAIN = '1';
const built = path.join(__dirname, '..', 'dist', 'esign-verify.cjs');
if (fs.existsSync(built)) {
  require(built);
} else {
  require('tsx/cjs/api').register();
  require(path.join(__dirname, '..', 'scripts', 'esign-verify.ts'));
}
