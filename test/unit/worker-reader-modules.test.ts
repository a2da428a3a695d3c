/**
 * A worker thread (fuzz, replay, merge --distill) is given the CommonJS texts its main thread made of the
 * `--reader-module` files (src/cli/reader-modules.ts workerReaderModules): it loads them without the typescript
 * package (~0.3 s a thread), and a file changed since is transpiled there anew, as it was before.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, test } from 'vitest';
import type { WorkerReaderModules } from '../../src/cli/reader-modules';
import { workerReaderModules } from '../../src/cli/reader-modules';
import { ROOT } from '../support/cli';

const HLHL = join(ROOT, 'harness', 'readers', 'pae-hlhl.ts');
const BUGGY = join(ROOT, 'harness', 'readers', 'pae-buggy.js');

interface Loaded {
  readonly names: string[];
  readonly sha256: string[];
  /** whether the worker loaded the typescript package */
  readonly typescript: boolean;
}

/** registerWorkerReaderModules in a worker thread of the build (dist/), as the workers call it. */
function loadInWorker(input: WorkerReaderModules): Promise<Loaded> {
  const dist = (m: string): string => JSON.stringify(join(ROOT, 'dist', ...m.split('/')));
  const w = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const { registerWorkerReaderModules } = require(${dist('cli/reader-modules.js')});
     const { builtinReaders } = require(${dist('kernel/index.js')});
     const added = registerWorkerReaderModules(workerData, builtinReaders());
     parentPort.postMessage({
       names: added.map((r) => r.name),
       sha256: added.map((r) => r.module.sha256),
       typescript: Object.keys(require.cache).some((k) => k.includes('/node_modules/typescript/')),
     });`,
    { eval: true, workerData: input },
  );
  return new Promise((resolve, reject) => {
    w.once('message', (m: Loaded) => {
      resolve(m);
      void w.terminate();
    });
    w.once('error', reject);
  });
}

const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('reader modules in a worker thread', () => {
  test('given the texts its main thread made, it loads the modules without the typescript package', async () => {
    const loaded = await loadInWorker(workerReaderModules([HLHL, BUGGY], ROOT));
    expect(loaded).toEqual({
      names: ['ptep_get_lockless_hlhl', 'ptep_get_lockless_normb', 'ptep_get_recheck_high'],
      sha256: [sha(HLHL), sha(BUGGY), sha(BUGGY)],
      typescript: false,
    });
  });

  test('a module changed since its text was made is transpiled anew there: its readers are the file’s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ptefuzz-worker-modules-'));
    const file = join(dir, 'hlhl.ts');
    copyFileSync(HLHL, file);
    const input = workerReaderModules([file], dir);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain("'ptep_get_lockless_hlhl'");
    writeFileSync(file, text.replaceAll("'ptep_get_lockless_hlhl'", "'ptep_get_lockless_renamed'"));
    expect(await loadInWorker(input)).toEqual({
      names: ['ptep_get_lockless_renamed'],
      sha256: [sha(file)],
      typescript: true,
    });
  });
});
