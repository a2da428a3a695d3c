import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { notARegularFile } from '../crash';
import type { SourceMapPayload, SourceMapping } from 'node:module';
import { SourceMap, createRequire } from 'node:module';
import { dirname, extname, isAbsolute, relative, resolve } from 'node:path';
import { compileFunction } from 'node:vm';
import type { ReaderDef, ReaderModuleRef, ReaderRegistry } from '../kernel';
import { ReaderModuleError, UsageError, firstLine, probeReader, readersFromModule } from '../campaign';
import * as api from '../index';
import { CONTROL } from '../scenario';
import { EXIT_USAGE, isUserError } from './errors';
import { HungExecution, WatchedExecutions } from './watched-call';
import { DEFAULT_TIMEOUT_SECONDS } from './watchdog';

/**
 * User reader modules (`--reader-module FILE`). The one place that turns a
 * file into reader definitions, so that execution can later move to a worker
 * thread (which would call loadReaderModule itself: functions do not cross
 * threads).
 *
 * Every module — `.js`/`.cjs`/`.mjs`/`.ts`/`.mts`/`.cts` alike — is read,
 * transpiled to CommonJS with the `typescript` package's transpileModule
 * (types are erased, not checked; ESM import/export become require/exports),
 * and evaluated with a `require` that resolves `ptefuzz` to this ptefuzz's
 * public API (src/index.ts), wherever the file lives. Other requires resolve
 * from the module's own folder as Node would.
 */

export const MODULE_EXTENSIONS = ['.js', '.cjs', '.mjs', '.ts', '.mts', '.cts'] as const;

/** The name a module is recorded and reported under: relative to the working directory when inside it. */
export function modulePathShown(file: string, cwd = process.cwd()): string {
  const abs = resolve(cwd, file);
  const rel = relative(cwd, abs);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? abs : rel;
}

/** Load, validate and guard the readers of one module file; every problem is a one-line ReaderModuleError. */
export function loadReaderModule(
  file: string,
  cwd = process.cwd(),
  /** its CommonJS text, by absolute path, as readerModuleCode made it (else transpiled here) */
  transpiled?: ReadonlyMap<string, string>,
): ReaderDef[] {
  const m = readModule(file, cwd);
  const ref: ReaderModuleRef = { path: m.shown, sha256: createHash('sha256').update(m.source).digest('hex') };
  const moduleExports = evaluate(transpiled?.get(m.abs) ?? transpile(m.source, m.ext, m.shown), m.abs, m.shown);
  try {
    return readersFromModule(moduleExports, ref);
  } catch (e) {
    // an export whose getter throws, a Proxy whose traps do
    if (e instanceof ReaderModuleError) throw e;
    throw new ReaderModuleError(m.shown, `reading its exports threw ${firstLine(e)}`);
  }
}

/**
 * A reader module's absolute path and CommonJS text, as loadReaderModule evaluates it: for a process that must
 * not load the `typescript` package — a jsfuzz worker instruments every module it loads, typescript in ~30 s.
 */
export function readerModuleCode(file: string, cwd = process.cwd()): [string, string] {
  const m = readModule(file, cwd);
  return [m.abs, transpile(m.source, m.ext, m.shown)];
}

/** A module file's text, read and its name checked; every problem is a one-line ReaderModuleError. */
function readModule(file: string, cwd: string): { abs: string; shown: string; source: string; ext: string } {
  const abs = resolve(cwd, file);
  const shown = modulePathShown(file, cwd);
  const fail = (reason: string): never => {
    throw new ReaderModuleError(shown, reason);
  };
  // recorded in crash files (readerModule.path) and printed as it is in replay commands, whose loader refuses it
  if (CONTROL.test(shown)) fail('its path holds a control character: rename the file (or a folder above it)');
  const ext = extname(abs);
  let source = '';
  try {
    const kind = notARegularFile(abs);
    if (kind === 'a folder') fail(`is a directory; expected a reader module (${MODULE_EXTENSIONS.join(', ')})`);
    if (kind !== undefined)
      fail(`is ${kind}, not a regular file; expected a reader module (${MODULE_EXTENSIONS.join(', ')})`);
    source = readFileSync(abs, 'utf8');
  } catch (e) {
    if (e instanceof ReaderModuleError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    fail(code === 'ENOENT' ? 'no such file (--reader-module)' : `cannot read (${code ?? String(e)})`);
  }
  if (!(MODULE_EXTENSIONS as readonly string[]).includes(ext)) {
    fail(`expected a reader module ending in ${MODULE_EXTENSIONS.join(', ')}`);
  }
  return { abs, shown, source, ext };
}

/**
 * The `--reader-module` files as a worker thread (fuzz, replay, merge --distill) is started with: their names, and
 * the CommonJS texts this thread made of them. Loading them there transpiles nothing unless a file changed since
 * (its text then is not among these, and the worker transpiles it as before): the `typescript` package costs a
 * thread ~0.3 s to load, each worker of a campaign and each fresh one after a hang.
 */
export interface WorkerReaderModules {
  readonly files: readonly string[];
  /** [transpileKey of a module's text, its CommonJS text] */
  readonly transpiled: readonly (readonly [string, string])[];
}

/** CommonJS texts made in this thread, by transpileKey: the same text is transpiled once. */
const made = new Map<string, string>();

/** A module's text as transpile takes it: the text and whether it is TypeScript (its output depends on nothing else). */
const transpileKey = (source: string, ext: string): string => `${ext.endsWith('ts') ? 'ts' : 'js'}\n${source}`;

/** The modules `files` with their CommonJS texts, for a worker thread (registerWorkerReaderModules). */
export function workerReaderModules(files: readonly string[], cwd = process.cwd()): WorkerReaderModules {
  const transpiled = new Map<string, string>();
  for (const file of files) {
    try {
      const m = readModule(file, cwd);
      transpiled.set(transpileKey(m.source, m.ext), transpile(m.source, m.ext, m.shown));
    } catch (e) {
      // a file that no longer reads or transpiles (changed since this thread loaded it): the worker meets the
      // same problem loading it and reports it as one line, as it did before it was given any text
      if (!isUserError(e)) throw e;
    }
  }
  return { files, transpiled: [...transpiled] };
}

/** In a worker thread: load the modules its main thread has loaded and probed (registerReaderModules, no probe). */
export function registerWorkerReaderModules(m: WorkerReaderModules, registry: ReaderRegistry): ReaderDef[] {
  for (const [key, code] of m.transpiled) made.set(key, code);
  return registerReaderModules(m.files, registry, { probe: false });
}

function transpile(source: string, ext: string, shown: string): string {
  const key = transpileKey(source, ext);
  const known = made.get(key);
  if (known !== undefined) return known;
  const code = transpileText(source, ext, shown);
  made.set(key, code);
  return code;
}

function transpileText(source: string, ext: string, shown: string): string {
  // Loaded only when a module is given: it costs ~0.2 s.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require('typescript') as typeof import('typescript');
  const isTs = ext.endsWith('ts');
  const out = ts.transpileModule(source, {
    // .mjs/.mts would keep ESM output: transpile them under a neutral name
    fileName: `module${isTs ? '.ts' : '.js'}`,
    reportDiagnostics: true,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      allowJs: true,
      // the position of a syntax error only V8 finds (compiledErrorPosition)
      inlineSourceMap: true,
    },
  });
  const d = out.diagnostics?.find((x) => x.category === ts.DiagnosticCategory.Error);
  if (d) {
    const at = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
    throw syntaxError(
      shown,
      at && { line: at.line, column: at.character },
      ts.flattenDiagnosticMessageText(d.messageText, ' '),
    );
  }
  return out.outputText;
}

/** A 0-based position in a file. */
interface Position {
  readonly line: number;
  readonly column: number;
}

function syntaxError(shown: string, at: Position | undefined, message: string): UsageError {
  const where = at ? `${shown}:${at.line + 1}:${at.column + 1}` : shown;
  return new UsageError(`${where}: syntax error: ${message}`);
}

/**
 * Where in the module's own text V8 found a syntax error the transpiler let through (`yield` in a plain
 * `function`, a strict-mode error): V8 gives the position in the CommonJS text only in the first lines of
 * the error's stack (Node's `FILE:LINE`, the source line, a `^` under the column), and the CommonJS text's
 * inline source map (transpile) leads back to the module's text.
 */
function compiledErrorPosition(e: Error, code: string, abs: string): Position | undefined {
  const stack = e.stack ?? '';
  const m = stack.startsWith(`${abs}:`) ? /^(\d+)\n[^\n]*\n([ \t]*)\^/.exec(stack.slice(abs.length + 1)) : null;
  const map = /\n\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/.exec(code);
  if (!m || !map) return undefined;
  const line = Number(m[1]) - 1;
  const column = m[2]!.length;
  const entry = new SourceMap(
    JSON.parse(Buffer.from(map[1]!, 'base64').toString('utf8')) as SourceMapPayload,
  ).findEntry(line, column) as Partial<SourceMapping>;
  if (entry.originalLine === undefined || entry.originalColumn === undefined) return undefined;
  // the error lies after the nearest mapped token of its line: as far after it in the module's text
  const after =
    entry.generatedLine === line && entry.generatedColumn !== undefined ? column - entry.generatedColumn : 0;
  return { line: entry.originalLine, column: entry.originalColumn + after };
}

function evaluate(code: string, abs: string, shown: string): unknown {
  const fail = (reason: string): never => {
    throw new ReaderModuleError(shown, reason);
  };
  const nodeRequire = createRequire(abs);
  const moduleRequire = Object.assign((id: string): unknown => (id === 'ptefuzz' ? api : nodeRequire(id)), {
    resolve: nodeRequire.resolve,
    cache: nodeRequire.cache,
  });
  const mod = { exports: {} as unknown, filename: abs, id: abs };
  let fn: (...args: unknown[]) => void;
  try {
    fn = compileFunction(code, ['exports', 'require', 'module', '__filename', '__dirname'], {
      filename: abs,
    }) as unknown as typeof fn;
  } catch (e) {
    if (!(e instanceof Error)) return fail(`syntax error: ${String(e)}`);
    throw syntaxError(shown, compiledErrorPosition(e, code, abs), e.message.split('\n')[0]!);
  }
  watchAsyncEscapes(abs, shown);
  try {
    fn.call(mod.exports, mod.exports, moduleRequire, mod, abs, dirname(abs));
  } catch (e) {
    return fail(`error while loading the module: ${firstLine(e)}`);
  }
  return mod.exports;
}

/** The modules evaluated in this process (absolute path → the name reported), for asyncEscape. */
const evaluated = new Map<string, string>();

/**
 * An error thrown by a module's own timer or promise (`setTimeout(() => { throw … })`, a rejected promise nobody
 * awaits) reaches no call ptefuzz watches: Node would print its stack and exit 1, which reads as "divergence found".
 * When its stack names a module file, it is the module's error: one line, exit 2. Anything else is left to Node
 * (an error of ptefuzz itself keeps its stack).
 */
function asyncEscape(e: unknown): void {
  let stack = '';
  try {
    stack = e instanceof Error ? String(e.stack) : '';
  } catch {
    // a stack getter that throws: not attributable
  }
  const from = [...evaluated].find(([abs]) => stack.includes(abs));
  if (from === undefined) {
    process.off('uncaughtException', asyncEscape);
    process.off('unhandledRejection', asyncEscape);
    process.nextTick(() => {
      throw e;
    });
    return;
  }
  process.stderr.write(
    `ptefuzz: ${from[1]}: an error escaped the module outside any read (from a timer or a promise it started): ${firstLine(e)}\n`,
  );
  process.exit(EXIT_USAGE);
}

function watchAsyncEscapes(abs: string, shown: string): void {
  if (evaluated.size === 0) {
    process.on('uncaughtException', asyncEscape);
    process.on('unhandledRejection', asyncEscape);
  }
  evaluated.set(abs, shown);
}

/**
 * Load every `--reader-module` into the registry (the same file twice counts
 * once). A name already taken — by a built-in reader or another module — is
 * an error naming both. Each reader is probed once on the built-in scenarios
 * of its architecture (see probeReader), each execution a watched call of
 * `seconds` (watched-call.ts: a reader that never returns there is a one-line
 * ReaderModuleError, exit 2, not a command that hangs) — unless `probe` is false: a worker thread
 * (fuzz, replay, merge --distill) loads the modules its main thread has already
 * probed, and does not run them again outside the executions the watchdog watches
 * (a reader that hangs only there would hang the worker, unseen, for ever).
 */
export function registerReaderModules(
  files: readonly string[] | undefined,
  registry: ReaderRegistry,
  {
    probe = true,
    seconds = DEFAULT_TIMEOUT_SECONDS,
    transpiled,
  }: {
    readonly probe?: boolean;
    readonly seconds?: number | undefined;
    /** the modules' CommonJS text by absolute path (readerModuleCode), for a process that must not transpile */
    readonly transpiled?: ReadonlyMap<string, string>;
  } = {},
): ReaderDef[] {
  const seen = new Set<string>();
  const added: ReaderDef[] = [];
  for (const file of files ?? []) {
    const abs = resolve(file);
    if (seen.has(abs)) continue;
    seen.add(abs);
    for (const r of loadReaderModule(file, process.cwd(), transpiled)) {
      const taken = registry.get(r.name);
      if (taken) {
        const by = taken.module ? `the reader module ${taken.module.path}` : 'a built-in reader';
        throw new ReaderModuleError(r.module!.path, `reader "${r.name}" clashes with ${by} of that name; rename it`);
      }
      registry.register(r);
      added.push(r);
    }
  }
  if (!probe) return added;
  const watch = new WatchedExecutions(seconds);
  for (const r of added) {
    try {
      probeReader(r, watch);
    } catch (e) {
      if (!(e instanceof HungExecution)) throw e;
      throw new ReaderModuleError(
        r.module!.path,
        `reader "${r.name}" did not return within ${e.seconds} s on ${e.target.scenario.name} (non-preemptive sc execution, nothing racing it), and was stopped: a loop that never yields (the load-time check runs each reader once on every built-in scenario of its architecture; --timeout SECONDS gives it longer)`,
      );
    }
  }
  return added;
}
