#!/usr/bin/env node
'use strict';
// Thin launcher: the compiled CLI lives in dist/ (built by `npm install` via the prepare script).
let main;
try {
  main = require('../dist/cli/main.js');
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
    process.stderr.write('ptefuzz: dist/ is missing; run `npm install` (or `npm run build`) first\n');
    process.exit(2);
  }
  throw err;
}
main.guardOutputStreams();
main.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
