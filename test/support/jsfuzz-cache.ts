import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the preload below keeps what istanbul made of each module: one file per (istanbul version, instrumenter
 * options, file name, source text), named by their sha256 — a pure function of its key, so a file of it is never
 * stale, and every later jsfuzz session of the test run reads it instead of instrumenting the module again. Below
 * the run's TMPDIR (test/support/build.ts): shared by its test files, removed when it ends.
 */
const CACHE = join(tmpdir(), 'ptefuzz-istanbul-cache');

/**
 * A `--require` preload (CommonJS source text) that memoizes istanbul-lib-instrument's `instrumentSync` on disk.
 * jsfuzz's worker instruments every module it loads (harness/pae.fuzz.js: ~180 modules, ~1 MB of dist/ and
 * msgpackr), ~8 s of CPU in every jsfuzz session a test starts, the same bytes every time; the cache returns those
 * very bytes. jsfuzz, its worker and the code it runs are otherwise untouched: the tests still run the real jsfuzz
 * CLI over the real instrumented harness. A write is atomic (temporary name, rename), as two commands may fill
 * the same entry at once; one that fails (a full disk, a file-size limit) only leaves the entry unfilled.
 */
const PRELOAD = `'use strict';
const Module = require('module');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const dir = ${JSON.stringify(CACHE)};
const wrapped = new WeakMap();
const load = Module._load;
Module._load = function (request, parent, isMain) {
  const m = load.call(this, request, parent, isMain);
  if (request !== 'istanbul-lib-instrument') return m;
  if (!wrapped.has(m)) {
    const version = load.call(this, 'istanbul-lib-instrument/package.json', parent, false).version;
    const createInstrumenter = (opts) => {
      const inst = m.createInstrumenter(opts);
      const instrumentSync = inst.instrumentSync.bind(inst);
      inst.instrumentSync = (code, filename, inputSourceMap) => {
        if (inputSourceMap !== undefined) return instrumentSync(code, filename, inputSourceMap);
        const key = crypto.createHash('sha256').update(JSON.stringify([version, opts, filename, code])).digest('hex');
        const file = path.join(dir, key + '.js');
        try {
          return fs.readFileSync(file, 'utf8');
        } catch {}
        const out = instrumentSync(code, filename);
        const tmp = file + '.' + process.pid + '.tmp';
        // a write the cache cannot make (a full disk; EFBIG under a file-size limit, node ignoring SIGXFSZ) is skipped
        try {
          fs.mkdirSync(dir, { recursive: true });
          fs.writeFileSync(tmp, out);
          fs.renameSync(tmp, file);
        } catch {
          fs.rmSync(tmp, { force: true });
        }
        return out;
      };
      return inst;
    };
    wrapped.set(m, { ...m, createInstrumenter });
  }
  return wrapped.get(m);
};
`;

let preload: string | undefined;

/**
 * The environment of a test command that starts jsfuzz: this process's, with NODE_OPTIONS requiring the preload
 * above (and then `requires`, in order) in every node process it starts — ptefuzz, jsfuzz and jsfuzz's worker —
 * after the NODE_OPTIONS this process has.
 */
export function jsfuzzEnv(...requires: string[]): NodeJS.ProcessEnv {
  if (preload === undefined) {
    mkdirSync(CACHE, { recursive: true });
    preload = join(CACHE, 'preload.js');
    writeFileSync(`${preload}.${process.pid}.tmp`, PRELOAD);
    renameSync(`${preload}.${process.pid}.tmp`, preload);
  }
  const options = [process.env['NODE_OPTIONS'] ?? '', ...[preload, ...requires].map((f) => `--require ${f}`)];
  return { ...process.env, NODE_OPTIONS: options.join(' ').trim() };
}
