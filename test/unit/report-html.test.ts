import { reportInput } from '../../src/cli/render';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { builtinReaders } from '../../src/kernel';
import { loadCrash } from '../../src/crash';
import type { Run, Target } from '../../src/campaign';
import { replayCrash, runTarget, selectTargets } from '../../src/campaign';
import { RandomSource } from '../../src/engines';
import { INIT_TAG } from '../../src/machine';
import { renderHtmlReport } from '../../src/report';
import { cli, cliInProcess } from '../support/cli';

const FIXTURE = join(__dirname, '..', 'fixtures', 'crash-v1.msgpack');

function html(t: Target, run: Run): string {
  return renderHtmlReport({
    ...reportInput(t, run),
    heading: `${t.scenario.name}: ${t.scenario.title}`,
    notes: [`model ${t.model}; source: ${t.scenario.source}`],
  });
}

/** The diverging reader's loads of the pte, straight from the event log. */
function readerLoads(run: Run) {
  const v = run.judgement.verdict;
  if (v.kind !== 'divergence') throw new Error('expected a divergence');
  const op = run.exec.ops[v.op]!;
  return run.exec.events.filter((e) => e.op === op.id && e.read !== undefined);
}

const count = (s: string, re: RegExp): number => (s.match(re) ?? []).length;

describe('show --html: one self-contained page', () => {
  const crash = loadCrash(FIXTURE);
  const { target, run } = replayCrash(crash, FIXTURE, builtinReaders());
  const page = html(target, run);

  test('one lane per CPU', () => {
    expect(count(page, /<g class="lane( reader)?" data-cpu="\d+">/g)).toBe(target.built.cpus.length);
    target.built.cpus.forEach((_c, i) => expect(page).toContain(`data-cpu="${i}"`));
    expect(page).toContain('<g class="lane reader" data-cpu="0">');
  });

  test('an arrow per load of the reader, from the event that wrote what it read', () => {
    const loads = readerLoads(run);
    expect(loads.length).toBe(3); // low, high, low again
    expect(count(page, /class="rf-arrow"/g)).toBe(loads.length);
    for (const ld of loads) {
      const m = new RegExp(`id="rf-${ld.index}" data-load="${ld.index}" data-from="([^"]+)"`).exec(page);
      expect(m, `arrow of event ${ld.index}`).not.toBeNull();
      const from = m![1]!;
      if (ld.tag === INIT_TAG) expect(from).toBe('initial');
      else {
        const src = run.exec.events[Number(from)]!;
        expect(src.tag).toBe(ld.tag);
        expect(src.index).toBeLessThan(ld.index);
        expect(src.wrote).toBeDefined();
      }
    }
    expect(page).toContain('id="initial"');
  });

  test('every load has a tooltip with the reference value it read', () => {
    const h = run.judgement.history!;
    for (const ld of readerLoads(run)) {
      const m = new RegExp(`<g class="load" id="ld-${ld.index}"><title>([^<]*)</title>`).exec(page);
      expect(m, `tooltip of event ${ld.index}`).not.toBeNull();
      expect(m![1]).toMatch(/reads v\d+ = \{0x[0-9a-f]{8}:0x[0-9a-f]{8}\}/);
      const k = Number(/reads v(\d+)/.exec(m![1]!)![1]);
      expect(m![1]).toContain(target.arch.format(h.values[k]!));
    }
  });

  test('nothing external: no URLs, no src=, no stylesheet links, no scripts', () => {
    expect(page).not.toContain('http://');
    expect(page).not.toContain('https://');
    expect(page).not.toMatch(/\bsrc=/);
    expect(page).not.toMatch(/<link\b|<script\b|@import|url\((?!#)/);
    expect(page.startsWith('<!DOCTYPE html>\n')).toBe(true);
  });

  test('deterministic: same input, same bytes', () => {
    const again = replayCrash(loadCrash(FIXTURE), FIXTURE, builtinReaders());
    expect(html(again.target, again.run)).toBe(page);
  });

  test('retry points are marked, one per retry', () => {
    const [t] = selectTargets(
      { scenarios: ['s2-pae-zap-reestablish'], readers: ['ptep_get_lockless'], models: ['sc'] },
      builtinReaders(),
    );
    for (let i = 0; i < 1000; i++) {
      const r = runTarget(t!, new RandomSource(`html-retry/${i}`));
      const retries = r.judgement.judged.reduce((n, j) => n + j.op.retries, 0);
      if (retries === 0) continue;
      expect(count(html(t!, r), /<g class="retry">/g)).toBe(retries);
      return;
    }
    throw new Error('no execution with a retry in 1000 runs');
  });

  test('TSO: a load from another CPU reads from the drain that published the store', () => {
    const [t] = selectTargets(
      { scenarios: ['s2-pae-zap-reestablish-samelow'], readers: ['ptep_get_lockless'], models: ['tso'] },
      builtinReaders(),
    );
    for (let i = 0; i < 20000; i++) {
      const r = runTarget(t!, new RandomSource(`html-tso/${i}`));
      if (r.judgement.verdict.kind !== 'divergence') continue;
      const page = html(t!, r);
      for (const ld of readerLoads(r).filter((e) => e.tag !== INIT_TAG)) {
        const from = new RegExp(`data-load="${ld.index}" data-from="(\\d+)"`).exec(page)![1];
        expect(r.exec.events[Number(from)]!.kind).toBe('drain');
      }
      return;
    }
    throw new Error('no tso divergence in 20000 runs');
  });

  test('the CLI writes the file atomically and twice the same bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ptefuzz-html-'));
    try {
      const out = join(dir, 'w.html');
      const a = cli(['show', FIXTURE, '--html', out]);
      expect(a.code).toBe(0);
      expect(a.stdout).toContain(`wrote ${out}`);
      const first = readFileSync(out);
      // the first as a process, the second (the same bytes) and the refusal in this process
      expect((await cliInProcess(['show', FIXTURE, '--html', out])).code).toBe(0);
      expect(Buffer.compare(readFileSync(out), first)).toBe(0);
      const bad = await cliInProcess(['show', FIXTURE, '--html', join(dir, 'no', 'such', 'dir.html')]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/^ptefuzz: --html .*: cannot write \(ENOENT\)\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
