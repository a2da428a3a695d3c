/**
 * The diagram fold hides nothing: over every committed crash file, the folded
 * diagram (step gutter on) expands back into the unfolded one using only what
 * the fold line says — the block above it, "repeat N more times", and the
 * hidden step range. Every hidden row must be its block row again (same CPU
 * column, same text, drains included), and every hidden step number must be
 * the shown one shifted by one stride per copy, so the steps the verdict and
 * the reader's loads depend on can be read off the folded text. Without the
 * gutter the fold line names rows, not step numbers, and expands the same way.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { replayCrash } from '../../src/campaign';
import { loadCrash } from '../../src/crash';
import { builtinReaders } from '../../src/kernel';
import { renderDiagram } from '../../src/report';

const CRASHES = join(__dirname, '../../crashes');
const FOLD =
  /^⋮ (?:steps (\d+)\.\.(\d+)|the (\d+) lines? above) repeat (\d+) more times?, identically: .*?(?: \(steps (\d+)\.\.(\d+) not shown\))?$/;

interface Line {
  readonly step: number | undefined;
  readonly body: string;
}

/** Undo the fold lines of `folded`, from what they say; undefined when a fold line cannot be expanded. */
function unfold(folded: readonly string[], gutter: number, start: number): string[] | undefined {
  const parse = (l: string): Line => {
    const g = l.slice(0, gutter).trim();
    return { step: g === '' ? undefined : Number(g), body: l.slice(gutter) };
  };
  const out = folded.slice(0, start);
  let blockFrom = start; // lines before this one belong to an earlier fold or the header
  for (let i = start; i < folded.length; i++) {
    // a fold line wraps at the diagram's width: every line of it starts with ⋮
    let note = folded[i]!.slice(gutter);
    const first = i;
    while (note.startsWith('⋮') && folded[i + 1]?.slice(gutter).startsWith('⋮ ')) {
      note += ' ' + folded[++i]!.slice(gutter + 2);
    }
    const m = FOLD.exec(note);
    if (m === null) {
      out.push(...folded.slice(first, i + 1));
      continue;
    }
    const copies = Number(m[4]);
    const [a, b, c, d] = [m[1], m[2], m[5], m[6]].map((x) => (x === undefined ? undefined : Number(x)));
    // the block: the shortest run of lines above whose steps span exactly a..b (or, stepless, the N lines it names)
    let block: Line[] | undefined;
    for (let len = 1; len <= first - blockFrom && block === undefined; len++) {
      const cand = folded.slice(first - len, first).map(parse);
      const steps = cand.flatMap((x) => (x.step === undefined ? [] : [x.step]));
      if (a === undefined ? steps.length === 0 && len === Number(m[3]) : steps[0] === a && steps.at(-1) === b)
        block = cand;
    }
    if (block === undefined) return undefined;
    const stride = a === undefined ? 0 : c! - a;
    if (a !== undefined && d !== b! + copies * stride) return undefined;
    for (let k = 1; k <= copies; k++) {
      for (const x of block) {
        const prefix =
          x.step === undefined ? ' '.repeat(gutter) : String(x.step + k * stride).padStart(gutter - 2) + '  ';
        out.push((prefix + x.body).trimEnd());
      }
    }
    blockFrom = i + 1;
  }
  return out;
}

describe('folding a diagram hides no row that differs (every crash file in crashes/)', () => {
  const files = readdirSync(CRASHES)
    .filter((f) => f.endsWith('.msgpack'))
    .sort();
  let folded = 0;
  test.each(files)('%s', (file) => {
    const r = replayCrash(loadCrash(join(CRASHES, file)), file, builtinReaders());
    const t = r.target;
    const input = { exec: r.run.exec, built: t.built, arch: t.arch, judgement: r.run.judgement, stepNumbers: true };
    const full = renderDiagram({ ...input, fold: false }).split('\n');
    const short = renderDiagram(input).split('\n');
    if (short.length !== full.length) folded++;
    const gutter = String(Math.max(0, r.run.exec.steps - 1)).length + 2;
    // the two column-header lines come first
    expect(unfold(short, gutter, 2)).toEqual(full);
    // without the step gutter the fold line names no step number (they would refer to nothing
    // shown): "the N lines above", and it still expands back into the unfolded diagram
    const plain = { ...input, stepNumbers: false };
    const plainShort = renderDiagram(plain).split('\n');
    for (const l of plainShort.filter((x) => x.startsWith('⋮'))) expect(l).not.toMatch(/steps? \d/);
    expect(unfold(plainShort, 0, 2)).toEqual(renderDiagram({ ...plain, fold: false }).split('\n'));
  });
  test('the check saw folds (the S8 livelock witnesses fold)', () => {
    expect(folded).toBeGreaterThan(0);
  });
});
