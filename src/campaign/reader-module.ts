import type { Instr, Location, Program } from '../machine';
import { DEFAULT_BOUNDS, TraceSource } from '../machine';
import type { ArchName, Pte, ReaderDef, ReaderModuleRef } from '../kernel';
import { ARCHES } from '../kernel';
import { CONTRACTS, contractByName } from '../compare';
import { builtinScenarios } from '../scenario';
import { UsageError } from './select';
import type { ExecutionWatch } from './target';
import { makeTarget, runTarget } from './target';

/**
 * A problem with a user reader module (`--reader-module FILE`): one line
 * naming the file, exit 2. Also thrown when a module reader misbehaves at run
 * time (throws, yields something that is not an instruction), so that a user's
 * slip never surfaces as a ptefuzz stack trace.
 */
export class ReaderModuleError extends UsageError {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;
const READER_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SHAPE = '{ name, arch, contract, read }';

function describe(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'function') return `a function${x.name ? ` (${x.name})` : ''}`;
  if (typeof x === 'string') return JSON.stringify(x.length > 40 ? x.slice(0, 40) + '…' : x);
  if (typeof x === 'object') return 'an object';
  return `${typeof x} ${String(x)}`;
}

/** The architectures a module reader may name: those with a pte encoding. */
export function knownArches(): ArchName[] {
  return (Object.keys(ARCHES) as ArchName[]).filter((a) => ARCHES[a] !== undefined);
}

const looksLikeReader = (x: unknown): boolean => isObj(x) && !Array.isArray(x) && 'read' in x && 'name' in x;

/**
 * The reader definitions a module exports, validated and guarded. Accepted:
 * `export const reader = {…}`, `export const readers = […]`, `export default`
 * either of them, and `module.exports =` either of them (or `{ reader }` /
 * `{ readers }`).
 */
export function readersFromModule(moduleExports: unknown, ref: ReaderModuleRef): ReaderDef[] {
  const fail = (reason: string): never => {
    throw new ReaderModuleError(ref.path, reason);
  };
  const found: [unknown, string][] = [];
  const take = (v: unknown, where: string): void => {
    if (Array.isArray(v)) v.forEach((x, i) => found.push([x, `${where}[${i}]`]));
    else found.push([v, where]);
  };
  if (looksLikeReader(moduleExports)) take(moduleExports, 'module.exports');
  else if (isObj(moduleExports)) {
    for (const key of ['readers', 'reader', 'default']) {
      const v = moduleExports[key];
      if (v === undefined) continue;
      if (key === 'default' && isObj(v) && !Array.isArray(v) && !looksLikeReader(v)) {
        for (const inner of ['readers', 'reader']) if (v[inner] !== undefined) take(v[inner], `default.${inner}`);
      } else take(v, key === 'default' ? 'export default' : `export ${key}`);
    }
  }
  const unique = found.filter(([v], i) => found.findIndex(([w]) => w === v) === i);
  if (unique.length === 0) {
    fail(
      `no reader exported; expected \`export const reader = ${SHAPE}\`, \`export const readers = [...]\`, ` +
        '`export default` one of them, or `module.exports =` one of them',
    );
  }
  const defs = unique.map(([v, where]) => validateReader(v, where, ref));
  const names = new Set<string>();
  for (const d of defs) {
    if (names.has(d.name)) fail(`exports two readers named "${d.name}"`);
    names.add(d.name);
  }
  return defs;
}

function validateReader(x: unknown, where: string, ref: ReaderModuleRef): ReaderDef {
  let label = where;
  const fail = (reason: string): never => {
    throw new ReaderModuleError(ref.path, `${label}: ${reason}`);
  };
  if (!isObj(x) || Array.isArray(x)) return fail(`expected a reader object ${SHAPE}, got ${describe(x)}`);
  const { name, arch, contract, read, source, summary } = x;
  if (typeof name !== 'string' || !READER_NAME.test(name)) {
    fail(`name: expected a C identifier string such as "my_ptep_get_lockless", got ${describe(name)}`);
  }
  label = `reader "${name as string}"`;
  const arches = knownArches();
  if (typeof arch !== 'string' || !(arches as string[]).includes(arch)) {
    const known = typeof arch === 'string' && Object.hasOwn(ARCHES, arch);
    fail(
      known
        ? `architecture "${arch}" has no pte encoding in this ptefuzz yet; valid: ${arches.join(', ')}`
        : `arch: unknown architecture ${describe(arch)}; valid: ${arches.join(', ')}`,
    );
  }
  if (typeof contract !== 'string' || contractByName(contract) === undefined) {
    fail(`contract: unknown contract ${describe(contract)}; valid: ${CONTRACTS.map((c) => c.name).join(', ')}`);
  }
  if (typeof read !== 'function' || read.constructor?.name !== 'GeneratorFunction') {
    fail(`read: expected a generator function \`function* (pte) { … }\`, got ${describe(read)}`);
  }
  for (const [k, v] of [
    ['source', source],
    ['summary', summary],
  ] as const) {
    if (v !== undefined && typeof v !== 'string') fail(`${k}: expected a string, got ${describe(v)}`);
  }
  const def = {
    name: name as string,
    arch: arch as ArchName,
    contract: contract as ReaderDef['contract'],
    source: (source as string | undefined) ?? `reader module ${ref.path}`,
    summary: (summary as string | undefined) ?? '(no summary)',
    module: ref,
  };
  return { ...def, read: guardRead(def.name, read as (p: Pte) => Program<bigint>, ref) };
}

const INSTR_KINDS = new Set([
  'load',
  'store',
  'rmw',
  'fence',
  'lock',
  'unlock',
  'irq',
  'pick',
  'begin',
  'end',
  'retry',
]);

/** The locations an instruction names (empty for fences and markers). */
function locationsOf(i: Record<string, unknown>): unknown[] {
  if (i['kind'] === 'load' || i['kind'] === 'store') return [i['loc']];
  if (i['kind'] === 'rmw') return Array.isArray(i['locs']) ? i['locs'] : [i['locs']];
  if (i['kind'] === 'lock' || i['kind'] === 'unlock') return [i['lock']];
  return [];
}

/**
 * The fields of the pte object a reader was given, with what each holds — for a reader that read a
 * field its architecture's pte does not have (`p.low` on arm64, `p.loc` on x86-pae).
 */
function ptepFields(p: Pte): string {
  const what = (v: unknown): string =>
    Array.isArray(v) ? '[…]' : isObj(v) && 'id' in v ? `"${String(v['name'])}"` : describe(v);
  return Object.entries(p)
    .map(([k, v]) => `${k} (${what(v)})`)
    .join(', ');
}

/**
 * Wrap a module reader's generator so that whatever it does wrong becomes a
 * ReaderModuleError naming the file: a thrown exception, a yielded value that
 * is not an instruction (`yield smp_rmb` without the call), an access outside
 * the pte it was given, unbalanced begin/end, a reader operation under another
 * name, an end() or a return without the value read.
 */
function guardRead(name: string, read: (p: Pte) => Program<bigint>, ref: ReaderModuleRef): (p: Pte) => Program<bigint> {
  const fail = (reason: string): never => {
    throw new ReaderModuleError(ref.path, `reader "${name}" ${reason}`);
  };
  return function* guarded(p: Pte): Program<bigint> {
    const allowed = new Set<Location>(p.locs);
    // a value no pte of these locations can hold: the report and the crash file would show it wrapped or not at all
    const bits = p.locs.reduce((n, l) => n + l.width, 0);
    const outOfRange = (v: bigint, how: string): void => {
      if (v >= 0n && v >> BigInt(bits) === 0n) return;
      const shown = v < 0n ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`;
      fail(`${how} ${shown}: expected the value read, a ${bits}-bit pte value (0 to 0x${'f'.repeat(bits / 4)})`);
    };
    let inner: Program<bigint>;
    try {
      inner = read(p);
    } catch (e) {
      return fail(`threw ${firstLine(e)}`);
    }
    let depth = 0;
    let completed = false;
    let input: bigint | undefined;
    for (;;) {
      let r: IteratorResult<Instr, bigint>;
      try {
        r = input === undefined ? inner.next() : inner.next(input);
      } catch (e) {
        if (e instanceof ReaderModuleError) throw e;
        return fail(`threw ${firstLine(e)}`);
      }
      if (r.done) {
        if (depth !== 0) fail(`returned with ${depth} operation(s) begun but not ended (missing yield end(v))`);
        // a consumer (GUP-fast, the fault path) goes on with the value the reader returns
        const v: unknown = r.value;
        if (typeof v !== 'bigint') {
          fail(
            completed
              ? `returned ${notValueRead(v, 'return v after yield end(v)')}`
              : `returned having completed no read; ${readShape(name)}, then return v`,
          );
        }
        outOfRange(v as bigint, 'returned');
        return r.value;
      }
      const ins: unknown = r.value;
      if (!isObj(ins) || !INSTR_KINDS.has(ins['kind'] as string)) {
        const hint = typeof ins === 'function' && ins.name ? ` — call it: yield ${ins.name}(…)` : '';
        fail(`yielded ${describe(ins)} instead of an instruction${hint}`);
      }
      const i = ins as Record<string, unknown>;
      for (const loc of locationsOf(i)) {
        if (!allowed.has(loc as Location)) {
          fail(
            `yielded ${String(i['name'] ?? i['kind'])} on ${isObj(loc) ? `location "${String(loc['name'])}"` : describe(loc)}, ` +
              `which is not a location of the pte it was given (${p.locs.map((l) => l.name).join(', ')})` +
              (isObj(loc) ? '' : `; the pte object has ${ptepFields(p)}`),
          );
        }
      }
      if (i['kind'] === 'begin') {
        const op = isObj(i['op']) ? i['op'] : {};
        if (op['role'] === 'reader' && (op['name'] !== name || op['subject'] !== p.name)) {
          fail(
            `began a reader operation named ${describe(op['name'])} on ${describe(op['subject'])}; ` +
              `expected begin({ name: '${name}', role: 'reader', subject: pte.name, locs: pte.locs })`,
          );
        }
        depth++;
      } else if (i['kind'] === 'end') {
        if (depth === 0) fail('yielded end() without a matching begin()');
        if (depth === 1) {
          if (typeof i['result'] !== 'bigint') fail(`ended its read ${notValueRead(i['result'], 'yield end(v)')}`);
          outOfRange(i['result'] as bigint, 'ended its read with');
          completed = true;
        }
        depth--;
      } else if (i['kind'] === 'retry' && depth === 0) {
        fail('yielded retry() outside begin() … end()');
      }
      input = yield ins as Instr;
    }
  };
}

const readShape = (name: string): string =>
  `read() must yield begin({ name: '${name}', role: 'reader', subject: pte.name, locs: pte.locs }) … end(v)`;

/** What a reader gave for the value it read (to end(), or returned) when it is not a bigint. */
function notValueRead(v: unknown, how: string): string {
  return v === undefined
    ? `without the value read: ${how}, v a bigint`
    : `with ${typeof v === 'string' ? 'string ' : ''}${describe(v)}: expected the value read, a bigint (${how})`;
}

/** An exception's first line — never throwing itself (a thrown object whose `message` or `toString` throws). */
export function firstLine(e: unknown): string {
  let text: string;
  try {
    text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  } catch {
    return 'an exception whose message cannot be read (its message or toString throws)';
  }
  return text.split('\n')[0]!;
}

/**
 * Run a module reader once on every built-in scenario of its architecture —
 * the non-preemptive `sc` execution (all-zero trace), where nothing races it —
 * and insist that it completed a read. Catches at load time a reader that
 * never begins a reader operation, throws, or cannot leave its loop. Each
 * execution runs under `watch` (the main thread's watched calls: one that never
 * returns throws out of here).
 */
export function probeReader(def: ReaderDef, watch?: ExecutionWatch): void {
  const file = def.module?.path ?? def.name;
  const arch = ARCHES[def.arch];
  const contract = contractByName(def.contract);
  if (!arch || !contract) throw new Error(`[ptefuzz internal bug] probe of an unvalidated reader ${def.name}`);
  for (const s of builtinScenarios().filter((x) => x.arch === def.arch)) {
    const { exec, judgement } = runTarget(
      makeTarget(s, def, contract, 'sc', arch),
      new TraceSource([]),
      DEFAULT_BOUNDS,
      watch,
    );
    const what = `on ${s.name} (non-preemptive sc execution, nothing racing it)`;
    if (exec.outcome.kind === 'bound-hit') {
      throw new ReaderModuleError(file, `reader "${def.name}" hit the ${exec.outcome.bound} bound ${what}`);
    }
    if (judgement.invocations === 0) {
      throw new ReaderModuleError(file, `reader "${def.name}" completed no read ${what}; ${readShape(def.name)}`);
    }
  }
}
