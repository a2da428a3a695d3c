import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { ROOT, hasStackTrace } from '../support/cli';

/**
 * `ptefuzz replay crashes/ --diagram | head -1`: the reader of stdout goes away after the first
 * chunk. ptefuzz must end as a C tool killed by SIGPIPE would — status 141, nothing on stderr —,
 * not with Node's "Unhandled 'error' event … write EPIPE" stack trace.
 */
test('a closed stdout pipe ends the process quietly with status 141', async () => {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'ptefuzz.js'), 'replay', 'crashes/', '--diagram'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout.once('data', () => child.stdout.destroy());
  const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)));
  expect(hasStackTrace(stderr)).toBe(false);
  expect(stderr).toBe('');
  expect(code).toBe(141);
}, 60_000);
