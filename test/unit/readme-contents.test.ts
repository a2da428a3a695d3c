/**
 * README's Contents list names every other `## ` section, in order, with the anchor GitHub gives the
 * heading (lower case; punctuation other than `-` and `_` dropped; spaces → `-`), so no entry is stale or
 * missing after a section is added, renamed or moved.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { ROOT } from '../support/cli';

const slug = (heading: string): string =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\-_ ]/gu, '')
    .replace(/ /g, '-');

test('README Contents lists every section, in order, with its GitHub anchor', () => {
  const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n');
  const at = lines.indexOf('## Contents');
  expect(at).toBeGreaterThan(0);
  const listed: string[] = [];
  for (let i = at + 1; i < lines.length && !lines[i]!.startsWith('## '); i++) {
    const m = /^- \[(.+)\]\(#([^)]+)\)$/.exec(lines[i]!);
    if (m) listed.push(`${m[1]!} #${m[2]!}`);
    else expect(lines[i], `line ${i + 1}: not a Contents entry`).toBe('');
  }
  let inFence = false;
  const sections: string[] = [];
  for (const l of lines) {
    if (l.startsWith('```')) inFence = !inFence;
    if (!inFence && l.startsWith('## ') && l !== '## Contents') sections.push(`${l.slice(3)} #${slug(l.slice(3))}`);
  }
  expect(listed).toEqual(sections);
  expect(sections.length).toBeGreaterThan(20);
});
