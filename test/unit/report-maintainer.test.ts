import { reportInput } from '../../src/cli/render';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { builtinReaders } from '../../src/kernel';
import { loadCrash } from '../../src/crash';
import { replayCrash } from '../../src/campaign';
import { renderHtmlReport, renderVerdictReport } from '../../src/report';

/**
 * The reports of committed crash files as an mm maintainer reads them
 * (`ptefuzz show`, `--html`): each expectation is written by hand from the
 * witness's diagram.
 */
const ROOT = join(__dirname, '..', '..');

function replayed(file: string) {
  const path = join(ROOT, file);
  const { target: t, run } = replayCrash(loadCrash(path), path, builtinReaders());
  const input = reportInput(t, run);
  return { text: renderVerdictReport(input), html: renderHtmlReport({ ...input, heading: t.scenario.name }), run };
}

describe('a load of a break-before-make writer’s break is attributed to the break, not to the final value', () => {
  // S5 reduced: B's contpte_unfold clears pte0 (xchg → 0) at step 1 and repaints it at step 11; A's plain ptep_get
  // reads pte0 at step 3, in between: it read the break (v1, the block none), not the repainted block (v2)
  const S5 = 'crashes/s5-contpte-unfold-gather.contpte_ptep_get.exact.weak.false-clean.d4062f0273a4.msgpack';
  const { text, html, run } = replayed(S5);

  test('the history has the break and the repaint as v1 and v2', () => {
    expect(text).toMatch(/^ {2}v1 {2}0x0000000000000000 {2}unfold: break \(every entry none\) by contpte_unfold\(\)/m);
    expect(text).toMatch(/^ {2}v2 {2}0x00e8000000043f43 {2}unfold: every entry repainted non-CONT/m);
  });

  test('the text report: step 3 (pte0 = 0) reads v1; the untouched entries read v0', () => {
    expect(text).toContain('            step 3: pte = READ_ONCE(pte0) = 0x0000000000000000  (from v1)\n');
    expect(text).toContain('  loads     step 2: pte = READ_ONCE(pte3) = 0x0078000000043fc3  (from v0)\n');
    expect(text).toContain('            step 4: pte = READ_ONCE(pte1) = 0x0078000000041fc3  (from v0)\n');
  });

  test('the HTML tooltip of that load and its arrow say v1', () => {
    const load = run.exec.events.find((e) => e.step === 3)!;
    const tip = new RegExp(`<g class="load" id="ld-${load.index}"><title>([^<]*)</title>`).exec(html)![1]!;
    expect(tip).toContain('reads v1 = 0x0000000000000000');
    expect(html).toMatch(new RegExp(`id="rf-${load.index}"[^>]*><title>step 3 reads v1, written at step 1 on CPU 1`));
  });
});

describe('a stale read says what it means', () => {
  // ext-sw: A reads pte (step 2) after B's xchg cleared it at step 0: under weak it still sees the old value
  const EXT = 'crashes/ext-sw-bits-zap-refault.ptep_get_ext_sw.ad-relaxed.weak.torn.78c946f25edb.msgpack';
  const { text, html } = replayed(EXT);

  test('the diagram and the loads line: stale by one store, no jargon', () => {
    expect(text).toContain('  loads     step 2: READ_ONCE(pte) = 0x0068000000040fc3 (stale by 1 store)  (from v0)\n');
    expect(text).toMatch(/^2 {4}READ_ONCE\(pte\)\n {9}= 0x0068000000040fc3\n {9}\(stale by 1 store\)$/m);
    expect(text).not.toContain('stale rf');
  });

  test('the HTML legend explains the mark', () => {
    expect(html).toContain('A load marked “stale by N stores” read a value that N later stores');
    expect(html).toContain('(stale by 1 store)');
  });
});

describe('a torn ext-sw value names its two words, not halves', () => {
  // ext-sw: the reader took the hw descriptor from v0 (before the zap) and the sw word after it (v1, still 0 in v2);
  // the whole scenario's witness (crashes/ holds it reduced to the zap alone: no v2)
  const EXT = 'test/fixtures/crash-builtin-by-name.msgpack';
  test('"sw word from v1, v2; hw descriptor from v0", as the value prints {sw:… hw:…}', () => {
    const { text } = replayed(EXT);
    expect(text).toMatch(/^verdict {3}divergence: torn\n {10}sw word from v1, v2; hw descriptor from v0$/m);
    expect(text).not.toContain('half from');
  });
});

describe('the HTML initial marker of a contpte block lists what the loads that point at it read', () => {
  // S9: v0 is pte1 with the block's access/dirty OR-ed in (…41fc3); pte0..pte3 hold …40bc3, …41bc3, …42bc3, …43fc3
  const S9 = 'crashes/s9-contpte-fold-unfold.contpte_ptep_get_lockless.exact.weak.ad-mixed.2172158c1baf.msgpack';
  const { html } = replayed(S9);
  const marker = /<g class="initial" id="initial"><title>[^<]*<\/title>(.*?)<\/g>/s.exec(html)![1]!;

  test('v0, then every entry’s own initial value, wrapped inside the marker', () => {
    const texts = [...marker.matchAll(/<text x="[\d.]+" y="[\d.]+">([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(texts).toEqual([
      'initial: pte = 0x0078000000041fc3 (v0)',
      'entries: pte0 = 0x0078000000040bc3, pte1 = 0x0078000000041bc3, pte2 = 0x0078000000042bc3,',
      'pte3 = 0x0078000000043fc3',
    ]);
    // three lines: 20 px and 16 more per extra line; the rows start below it
    const rect = /<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"\/>/.exec(marker)!;
    expect(Number(rect[2])).toBe(52);
    const firstRow = Math.min(
      ...[...html.matchAll(/<text class="(?:ev|op)[^"]*" x="[\d.]+" y="([\d.]+)"/g)].map((m) => Number(m[1])),
    );
    expect(firstRow - 12).toBeGreaterThanOrEqual(Number(rect[1]) + 52);
  });
});
