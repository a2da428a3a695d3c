/**
 * Same scenario + seed ⇒ same bytes, whatever the environment: the locale (LANG/LC_ALL), the time
 * zone, the working directory, relative or absolute folder paths, NODE_OPTIONS. Each test runs one
 * command in two environments and compares what a researcher scripts against: files and stdout.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT, cli } from '../support/cli';

/** two PAE faults whose values differ at "aa"/"ab": Danish collation sorts "aa" (å) after "z" */
const LOCALE_SCN = `scenario locale-order
title "explore state order does not follow the locale"
arch x86-pae
model sc
pte pte = {0x00000000:0x00000000}

reader ptep_get_atomic64 expect correct

cpu A "$reader" {
  reader(pte)
}

cpu B "fault" {
  do_anonymous_page_pae(pte, {0x000aa002:0x00020067})
}

cpu C "fault" {
  do_anonymous_page_pae(pte, {0x000ab003:0x00030067})
}
`;

const env = (over: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({ ...process.env, ...over });

describe('output independent of the environment', () => {
  test('explore lists its states in code-unit order under any LC_ALL (was: the locale collation)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ptefuzz-env-'));
    const scn = join(dir, 'locale-order.scn');
    writeFileSync(scn, LOCALE_SCN);
    const args = ['explore', '--scenario', scn, '--bound', '2'];
    const c = cli(args, dir, env({ LC_ALL: 'C', LANG: 'C' }));
    const da = cli(args, dir, env({ LC_ALL: 'da_DK.UTF-8', LANG: 'da_DK.UTF-8' }));
    expect(c.code).toBe(0);
    const states = (out: string): string[] => out.split('\n').filter((l) => /^\d+ +\{0x/.test(l));
    // hand-written: the two faults' values, "aa" before "ab" as bytes compare
    expect(states(c.stdout).map((l) => l.split(/ +/)[1])).toEqual([
      '{0x00000000:0x00000000}',
      '{0x000aa002:0x00000000}',
      '{0x000aa002:0x00020067}',
      '{0x000ab003:0x00000000}',
      '{0x000ab003:0x00030067}',
    ]);
    expect(da.stdout).toBe(c.stdout);
  });

  test('show --html: the same crash file draws the same bytes from any folder, by any path (was: the path and the install folder in the page)', () => {
    const name = 's1-pae-double-refault.ptep_get_lockless.non-torn.sc.torn.e9e661eab06e.msgpack';
    const root = mkdtempSync(join(tmpdir(), 'ptefuzz-env-'));
    mkdirSync(join(root, 'a', 'deep'), { recursive: true });
    mkdirSync(join(root, 'b'));
    copyFileSync(join(ROOT, 'crashes', name), join(root, 'a', name));
    copyFileSync(join(ROOT, 'crashes', name), join(root, 'b', name));
    const rel = cli(['show', name, '--html', 'page.html'], join(root, 'a'));
    const abs = cli(['show', join(root, 'b', name), '--html', join(root, 'b', 'page.html')], join(root, 'a', 'deep'));
    expect(rel.code).toBe(0);
    expect(abs.code).toBe(0);
    const page = readFileSync(join(root, 'a', 'page.html'), 'utf8');
    expect(readFileSync(join(root, 'b', 'page.html'), 'utf8')).toBe(page);
    expect(page).toContain(`replay: ptefuzz replay ${name}</p>`);
    expect(page).not.toContain(root);
    expect(page).not.toContain(ROOT);
  });

  test('fuzz (coverage, --jobs 1): the same crash and corpus bytes and JSON from another folder, locale, TZ, NODE_OPTIONS, by absolute paths', () => {
    const root = mkdtempSync(join(tmpdir(), 'ptefuzz-env-'));
    mkdirSync(join(root, 'a'));
    mkdirSync(join(root, 'b', 'deep'), { recursive: true });
    const args = ['fuzz', '--scenario', 's2-pae-zap-reestablish', '--runs', '200', '--seed', '7', '--json'];
    const a = cli([...args, '--crashes', 'crashes', '--corpus', 'corpus'], join(root, 'a'), {
      ...process.env,
      LC_ALL: 'C',
      LANG: 'C',
      TZ: 'UTC',
    });
    const b = cli(
      [...args, '--crashes', join(root, 'b', 'crashes'), '--corpus', join(root, 'b', 'corpus')],
      join(root, 'b', 'deep'),
      {
        ...process.env,
        LC_ALL: 'da_DK.UTF-8',
        LANG: 'da_DK.UTF-8',
        TZ: 'Pacific/Chatham',
        NODE_OPTIONS: '--max-old-space-size=3000',
      },
    );
    expect(a.code).toBe(1);
    expect(b.code).toBe(1);
    /** every file below dir: relative path → bytes */
    const files = (dir: string, pre = ''): [string, string][] =>
      readdirSync(dir, { withFileTypes: true })
        .sort((x, y) => (x.name < y.name ? -1 : 1))
        .flatMap((e) =>
          e.isDirectory()
            ? files(join(dir, e.name), `${pre}${e.name}/`)
            : [[`${pre}${e.name}`, readFileSync(join(dir, e.name)).toString('base64')] as [string, string]],
        );
    const crashes = files(join(root, 'a', 'crashes'));
    expect(crashes.length).toBeGreaterThan(0);
    expect(files(join(root, 'b', 'crashes'))).toEqual(crashes);
    expect(files(join(root, 'b', 'corpus'))).toEqual(files(join(root, 'a', 'corpus')));
    // the JSON but for the wall clock, and the crash folder as each run named it
    const stable = (out: string, folder: string): unknown =>
      JSON.parse(
        out
          .replace(/"(seconds|execsPerSec)": [0-9.e+-]+/g, '"$1": 0')
          .split(`"${folder}/`)
          .join('"crashes/'),
      );
    expect(stable(b.stdout, join(root, 'b', 'crashes'))).toEqual(stable(a.stdout, 'crashes'));
  });
});
