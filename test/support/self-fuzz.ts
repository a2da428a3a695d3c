/**
 * Self-fuzzing support (issue 8.3): run the CLI in-process and capture what it
 * prints, and seeded mutators for crash files (bytes and msgpack structure),
 * text files (bytes and tokens) and argument vectors.
 */
import { Packr } from 'msgpackr';
import { main } from '../../src/cli/main';
import type { Rng } from '../../src/engines/rng';

export interface Outcome {
  readonly code: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
  /** main() rejected (an exception no command turned into an exit code) */
  readonly threw?: unknown;
}

type Write = typeof process.stdout.write;

/**
 * `main(argv)` with process.stdout and process.stderr captured: the commands
 * write to the process streams, exactly as under bin/ptefuzz.js.
 */
export async function runInProcess(argv: readonly string[]): Promise<Outcome> {
  const out: string[] = [];
  const err: string[] = [];
  const capture =
    (sink: string[]): Write =>
    (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      sink.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const cb = rest.find((r): r is () => void => typeof r === 'function');
      if (cb) cb();
      return true;
    };
  const ow = process.stdout.write;
  const ew = process.stderr.write;
  process.stdout.write = capture(out);
  process.stderr.write = capture(err);
  let code: number | undefined;
  let threw: unknown;
  let failed = false;
  try {
    code = await main(argv);
  } catch (e) {
    failed = true;
    threw = e;
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
  }
  return { code, stdout: out.join(''), stderr: err.join(''), ...(failed ? { threw } : {}) };
}

/**
 * Why an outcome breaks the rules, or undefined: exit 0/1/2; no stack trace,
 * internal bug or JavaScript error on stderr; no raw control character or
 * U+FFFD in what ptefuzz says on stderr (a bad byte of the input must be
 * shown escaped, not sent to the terminal); an exit 2 says why on a
 * `ptefuzz: …` line, naming `file` when the case has an input file.
 */
export function violation(o: Outcome, file?: string): string | undefined {
  if ('threw' in o) {
    const e = o.threw;
    return `main() rejected: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
  }
  if (o.code !== 0 && o.code !== 1 && o.code !== 2) return `exit code ${String(o.code)}`;
  if (/\n\s+at .+[:(]/.test(o.stderr) || /^\s+at .+[:(]/m.test(o.stderr)) return 'stack trace on stderr';
  if (o.stderr.includes('internal bug')) return 'internal bug on stderr';
  if (/Unhandled|UnhandledPromiseRejection|TypeError|RangeError|ReferenceError/.test(o.stderr)) {
    return 'a JavaScript error on stderr';
  }
  if (o.code === 2 && !/^ptefuzz: \S/m.test(o.stderr) && !/^Usage: /m.test(o.stdout + o.stderr)) {
    return 'exit 2 without a "ptefuzz: …" line';
  }
  const said = o.stderr
    .split('\n')
    .filter((l) => l.startsWith('ptefuzz:'))
    .join('\n');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b-\u001f\u007f\ufffd]/.test(said)) return 'a raw control character or U+FFFD on stderr';
  if (o.code === 2 && file !== undefined && !said.includes(file)) return `exit 2 without naming ${file}`;
  return undefined;
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)]!;

// ---------------------------------------------------------------------------
// bytes

const INTERESTING_BYTES = [0x00, 0xff, 0x7f, 0x80, 0x0a, 0x22, 0x7b, 0x7d, 0xc1, 0xdc, 0xde, 0xdf, 0xcf, 0xd3];

/** One byte-level mutation: bit flip, interesting byte, truncation, insertion, deletion or duplication. */
export function mutateBytes(rng: Rng, b: Buffer): Buffer {
  const n = b.length;
  const at = (): number => rng.int(n + 1);
  switch (rng.int(6)) {
    case 0: {
      if (n === 0) return Buffer.from([rng.int(256)]);
      const c = Buffer.from(b);
      const i = rng.int(n);
      c[i] = c[i]! ^ (1 << rng.int(8));
      return c;
    }
    case 1: {
      if (n === 0) return Buffer.from([pick(rng, INTERESTING_BYTES)]);
      const c = Buffer.from(b);
      c[rng.int(n)] = pick(rng, INTERESTING_BYTES);
      return c;
    }
    case 2:
      return b.subarray(0, rng.int(n + 1));
    case 3: {
      const i = at();
      const ins = Buffer.from(Array.from({ length: 1 + rng.int(8) }, () => rng.int(256)));
      return Buffer.concat([b.subarray(0, i), ins, b.subarray(i)]);
    }
    case 4: {
      const i = at();
      return Buffer.concat([b.subarray(0, i), b.subarray(Math.min(n, i + 1 + rng.int(16)))]);
    }
    default: {
      const i = at();
      const j = at();
      const chunk = b.subarray(i, Math.min(n, i + 1 + rng.int(32)));
      return Buffer.concat([b.subarray(0, j), chunk, b.subarray(j)]);
    }
  }
}

// ---------------------------------------------------------------------------
// text tokens

const TOKEN = /\s+|[A-Za-z_][A-Za-z0-9_]*|0x[0-9a-fA-F]+|[0-9]+|"[^"\n]*"|[^\s]/g;

const INTERESTING_TOKENS = [
  '0',
  '1',
  '-1',
  '63',
  '64',
  '4294967295',
  '4294967296',
  '0xffffffffffffffff',
  '0x10000000000000000',
  '99999999999999999999999999',
  '1e9',
  '1.5',
  'NaN',
  '""',
  '"',
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  ';',
  ':',
  ',',
  '=',
  '==',
  '!=',
  '*',
  '&',
  '/\\',
  '\\/',
  '~',
  '->',
  '.',
  '\\',
  '#',
  '(*',
  '*)',
  '//',
  '/*',
  'exists',
  'forall',
  'locations',
  'filter',
  'int',
  'u64',
  'cpu',
  'reader',
  'expect',
  'model',
  'arch',
  'pte',
  'sc',
  'tso',
  'weak',
  'bug',
  'correct',
  'P0',
  'P1',
  'P9',
  'r0',
  'x',
  'y',
  'WRITE_ONCE',
  'READ_ONCE',
  'smp_mb',
  'smp_rmb',
  'smp_store_release',
  'cmpxchg',
  'xchg',
  'spin_lock',
  'if',
  'else',
  'while',
  'goto',
  'return',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'é',
  '\u0000',
  '\t',
  '\r\n',
];

/** One text mutation: a token replaced, deleted or duplicated, a line duplicated, deleted or swapped. */
export function mutateTokens(rng: Rng, text: string): string {
  const toks = text.match(TOKEN) ?? [];
  const words = toks.map((t, i) => [t, i] as const).filter(([t]) => !/^\s+$/.test(t));
  if (words.length === 0) return text + pick(rng, INTERESTING_TOKENS);
  const [, i] = pick(rng, words);
  const out = [...toks];
  const k = rng.int(7);
  if (k <= 2) {
    out[i] = rng.int(2) === 0 ? pick(rng, INTERESTING_TOKENS) : pick(rng, words)[0];
    return out.join('');
  }
  if (k === 3) {
    out[i] = '';
    return out.join('');
  }
  if (k === 4) {
    out[i] = out[i]! + ' ' + pick(rng, words)[0];
    return out.join('');
  }
  const lines = text.split('\n');
  const a = rng.int(lines.length);
  const b = rng.int(lines.length);
  if (k === 5) lines.splice(b, 0, lines[a]!);
  else if (lines.length > 1 && rng.int(2) === 0) lines.splice(a, 1);
  else [lines[a], lines[b]] = [lines[b]!, lines[a]!];
  return lines.join('\n');
}

/** 1–4 stacked mutations, token-level or byte-level (half each). */
export function mutateText(rng: Rng, text: string): Buffer {
  let b: Buffer = Buffer.from(text, 'utf8');
  const rounds = 1 + rng.int(4);
  for (let r = 0; r < rounds; r++) {
    b = rng.int(2) === 0 ? Buffer.from(mutateTokens(rng, b.toString('utf8')), 'utf8') : mutateBytes(rng, b);
  }
  return b;
}

// ---------------------------------------------------------------------------
// msgpack structure

const packr = new Packr({ useRecords: false, moreTypes: false });

const interestingValue = (rng: Rng): unknown =>
  pick(rng, [
    () => null,
    () => true,
    () => -1,
    () => 0,
    () => 1.5,
    () => 2 ** 53,
    () => 2 ** 64,
    () => -(2 ** 31),
    () => NaN,
    () => Infinity,
    () => '',
    () => 'x',
    () => '0x' + 'f'.repeat(1 + rng.int(40)),
    () => 'ptefuzz-crash',
    () => 'divergence',
    () => 'torn',
    () => 'no-such-reader',
    () => 's1-pae-double-refault',
    () => '../../etc/passwd',
    () => 'a'.repeat(rng.int(5000)),
    () => [],
    () => [rng.int(1000), -1, 2 ** 40],
    () => Array.from({ length: rng.int(3000) }, () => rng.int(2 ** 31)),
    () => ({}),
    () => ({ kind: 'divergence' }),
    () => Buffer.from([1, 2, 3]),
  ])();

type Container = Record<string, unknown> | unknown[];
const isContainer = (x: unknown): x is Container => typeof x === 'object' && x !== null && !Buffer.isBuffer(x);

/** One structural mutation of a decoded value (in place on a copy): a field dropped, replaced, its string or array edited. */
function mutateValue(rng: Rng, root: unknown): unknown {
  if (!isContainer(root)) return interestingValue(rng);
  // walk down a random path
  let parent: Container = root;
  let key: string | number = Array.isArray(root) ? rng.int(Math.max(1, root.length)) : pick(rng, Object.keys(root));
  for (let depth = 0; depth < 4; depth++) {
    const child = (parent as Record<string | number, unknown>)[key];
    if (!isContainer(child) || rng.int(3) === 0) break;
    const keys: (string | number)[] = Array.isArray(child) ? child.map((_, i) => i) : Object.keys(child);
    if (keys.length === 0) break;
    parent = child;
    key = pick(rng, keys);
  }
  const slot = parent as Record<string | number, unknown>;
  const cur = slot[key];
  switch (rng.int(5)) {
    case 0:
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete slot[key];
      break;
    case 1:
      if (typeof cur === 'string') slot[key] = mutateText(rng, cur).toString('utf8');
      else slot[key] = interestingValue(rng);
      break;
    case 2:
      if (Array.isArray(cur)) cur.splice(rng.int(cur.length + 1), 0, interestingValue(rng));
      else slot[key] = interestingValue(rng);
      break;
    case 3:
      if (Array.isArray(parent)) slot[key] = interestingValue(rng);
      else {
        // an own property even for "__proto__" (as msgpack decoding would give)
        Object.defineProperty(parent, pick(rng, ['extra', '__proto__', 'constructor', 'format', 'version']), {
          value: interestingValue(rng),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      break;
    default:
      slot[key] = interestingValue(rng);
  }
  return root;
}

/** 1–3 stacked mutations of a crash file: structural (decode, edit, re-encode) or byte-level. */
export function mutateCrash(rng: Rng, bytes: Buffer): Buffer {
  let b: Buffer = bytes;
  const rounds = 1 + rng.int(3);
  for (let r = 0; r < rounds; r++) {
    let decoded: unknown;
    let ok = false;
    if (rng.int(2) === 0) {
      try {
        decoded = packr.unpack(b);
        ok = true;
      } catch {
        ok = false;
      }
    }
    b = ok ? (packr.pack(mutateValue(rng, decoded)) as Buffer) : mutateBytes(rng, b);
  }
  return b;
}
