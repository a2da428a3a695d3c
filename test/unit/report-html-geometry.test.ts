import { reportInput } from '../../src/cli/render';
import { describe, expect, test } from 'vitest';
import { builtinReaders } from '../../src/kernel';
import type { Run, Target } from '../../src/campaign';
import { runTarget, scenarioFromText, selectTargets } from '../../src/campaign';
import { RandomSource } from '../../src/engines';
import { renderHtmlReport } from '../../src/report';
import type { Scenario } from '../../src/scenario';

/**
 * The HTML timeline's geometry, read back from the SVG it writes: every text
 * of a lane (its name, its rows) stays inside that lane, and the names sit
 * above the initial-value marker and the rows. CHAR_W is the page's fixed
 * 7.2 px per character of 12 px monospace; the lanes are read from their own
 * background rectangles.
 */
const CHAR_W = 7.2;

function page(t: Target, run: Run): string {
  return renderHtmlReport({ ...reportInput(t, run), heading: t.scenario.name });
}

const unescape = (s: string): string =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

interface Lane {
  readonly left: number;
  readonly right: number;
  readonly names: { x: number; y: number; text: string }[];
  readonly texts: { x: number; y: number; text: string }[];
}

function lanes(html: string): Lane[] {
  const out: Lane[] = [];
  for (const m of html.matchAll(
    /<g class="lane(?: reader)?" data-cpu="\d+">([\s\S]*?)<\/g>\n?(?=<g class="lane|<g class="steps")/g,
  )) {
    const body = m[1]!;
    const bg = /<rect class="lane-bg" x="([\d.]+)" y="0" width="([\d.]+)"/.exec(body)!;
    const left = Number(bg[1]);
    const texts = [...body.matchAll(/<text(?: class="([^"]*)")? x="([\d.]+)" y="([\d.]+)">([^<]*)<\/text>/g)].map(
      (t) => ({
        cls: t[1] ?? '',
        x: Number(t[2]),
        y: Number(t[3]),
        text: unescape(t[4]!),
      }),
    );
    out.push({
      left,
      right: left + Number(bg[2]),
      names: texts.filter((t) => t.cls === 'lane-name'),
      texts: texts.filter((t) => t.cls !== 'lane-name'),
    });
  }
  return out;
}

function run(scenario: string | Scenario, reader: string, model: 'sc' | 'tso' | 'weak', seed: string) {
  const [t] = selectTargets({ scenarios: [scenario], readers: [reader], models: [model] }, builtinReaders());
  return { t: t!, r: runTarget(t!, new RandomSource(seed)) };
}

describe('show --html: lane names never overlap or leave their lane', () => {
  // S7's CPU names are 42 and 43 characters, the lane holds 34
  const { t, r } = run('s7-arm64-fault-norecency', 'ptep_get_lockless_norecency', 'weak', 'geometry/s7');
  const html = page(t, r);
  const ls = lanes(html);

  test('a name longer than its lane wraps as the text diagram wraps it, whole', () => {
    expect(t.built.cpus.map((c) => c.name)).toEqual([
      'A: read fault(ptep_get_lockless_norecency)',
      'B: write fault(ptep_get_lockless_norecency)',
    ]);
    expect(ls.map((l) => l.names.map((n) => n.text))).toEqual([
      ['A: read fault(', 'ptep_get_lockless_norecency)'],
      ['B: write fault(', 'ptep_get_lockless_norecency)'],
    ]);
    // the continuation line is indented 4 characters under the first
    for (const l of ls) expect(l.names[1]!.x - l.names[0]!.x).toBeCloseTo(4 * CHAR_W, 1);
    // one line per 16 px, and the whole name on hover
    for (const l of ls) expect(l.names[1]!.y - l.names[0]!.y).toBe(16);
    expect(html).toContain('<g class="lane-names"><title>B: write fault(ptep_get_lockless_norecency)</title>');
  });

  test('every text of a lane ends inside it: names and rows', () => {
    expect(ls).toHaveLength(2);
    for (const [i, l] of ls.entries()) {
      for (const x of [...l.names, ...l.texts]) {
        expect(x.x, `lane ${i}: ${x.text}`).toBeGreaterThanOrEqual(l.left);
        expect(x.x + x.text.length * CHAR_W, `lane ${i}: ${x.text}`).toBeLessThanOrEqual(l.right);
      }
    }
  });

  test('the names sit above the initial marker, which sits above the first row', () => {
    const init =
      /<g class="initial" id="initial"><title>[^<]*<\/title><rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"/.exec(
        html,
      )!;
    const top = Number(init[1]);
    const bottom = top + Number(init[2]);
    const lastName = Math.max(...ls.flatMap((l) => l.names.map((n) => n.y)));
    // a baseline plus the 4 px of descent below it
    expect(lastName + 4).toBeLessThanOrEqual(top);
    const firstRow = Math.min(...ls.flatMap((l) => l.texts.map((x) => x.y)));
    // a row's baseline is 12 px below its top
    expect(firstRow - 12).toBeGreaterThanOrEqual(bottom);
  });
});

describe('show --html: one lane', () => {
  test('the initial marker is never wider than the page', () => {
    // a one-CPU program: the marker's text (44 characters) is longer than one lane
    const text = [
      'scenario one-lane',
      'title "a reader alone"',
      'arch x86-pae',
      'model sc',
      'pte pte = {0x00000000:0x00010067}',
      'reader ptep_get expect correct',
      'cpu A "$reader" {',
      '  reader(pte)',
      '}',
      '',
    ].join('\n');
    const s = scenarioFromText({ name: 'one-lane', text }, builtinReaders());
    const { t, r } = run(s, 'ptep_get', 'sc', 'geometry/one-lane');
    const html = page(t, r);
    const svgW = Number(/<svg class="timeline" width="([\d.]+)"/.exec(html)![1]);
    const m =
      /<g class="initial" id="initial"><title>[^<]*<\/title><rect[^>]*\/><text x="([\d.]+)" y="[\d.]+">([^<]*)<\/text>/.exec(
        html,
      )!;
    expect(Number(m[1]) + unescape(m[2]!).length * CHAR_W).toBeLessThanOrEqual(svgW);
  });
});
