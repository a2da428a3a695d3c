import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';
import { cli } from '../support/cli';

/**
 * `ptefuzz show --html` opened in a real browser: headless Chromium parses
 * the page and dumps its DOM, which must still hold the CPU lanes and the
 * read-from arrows. Needs a chromium binary (Debian: `apt-get install
 * chromium`; or PTEFUZZ_CHROMIUM=/path/to/chrome); without one the test is
 * skipped and says so.
 */
const CANDIDATES = [process.env['PTEFUZZ_CHROMIUM'], 'chromium', 'chromium-browser', 'google-chrome'];

function findChromium(): string | undefined {
  for (const bin of CANDIDATES) {
    if (bin === undefined || bin === '') continue;
    const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 30_000 });
    if (r.status === 0) return bin;
  }
  return undefined;
}

const FIXTURE = join(__dirname, '..', 'fixtures', 'crash-v1.msgpack');
const chromium = findChromium();
const SKIP_NOTE =
  'no chromium binary found (tried $PTEFUZZ_CHROMIUM, chromium, chromium-browser, google-chrome): ' +
  'apt-get install -y chromium to run it';

describe('show --html in headless Chromium', () => {
  test('the rendered DOM has one lane per CPU and an arrow per load of the reader', ({ skip }) => {
    if (chromium === undefined) process.stderr.write(`SKIP html-chromium: ${SKIP_NOTE}\n`);
    skip(chromium === undefined, SKIP_NOTE);
    const dir = mkdtempSync(join(tmpdir(), 'ptefuzz-chromium-'));
    try {
      const out = join(dir, 's1.html');
      const r = cli(['show', FIXTURE, '--html', out]);
      expect(r.code, r.stderr).toBe(0);
      const browser = spawnSync(
        chromium!,
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          `--user-data-dir=${join(dir, 'profile')}`,
          '--dump-dom',
          pathToFileURL(out).href,
        ],
        { encoding: 'utf8', timeout: 90_000, maxBuffer: 64 * 1024 * 1024 },
      );
      expect(browser.status, browser.stderr).toBe(0);
      const dom = browser.stdout;
      expect(dom).toContain('<svg class="timeline"');
      // S1: CPUs A (the reader), B, C, D
      expect(dom.match(/<g class="lane( reader)?" data-cpu="\d+">/g)).toHaveLength(4);
      expect(dom).toContain('<g class="lane reader" data-cpu="0">');
      // ptep_get_lockless loads low, high, low again: three arrows, one from the initial value
      expect(dom.match(/<path class="rf-arrow"/g)).toHaveLength(3);
      expect(dom.match(/<g class="load" id="ld-\d+"><title>/g)).toHaveLength(3);
      expect(dom).toContain('data-from="initial"');
      expect(dom).toContain('id="initial"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
