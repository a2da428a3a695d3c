import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { HarnessFamily, ReaderStats, Selection, Target } from '../campaign';
import { UsageError, addStats, emptyStats, harnessSelection, portableSelection } from '../campaign';
import type { ReaderRegistry } from '../kernel';

/**
 * The `jsfuzz` engine (DESIGN §7): the real jsfuzz CLI as a child process
 * over a harness target (harness/<family>.fuzz.js), restarted after each
 * crash (jsfuzz stops at the first one). jsfuzz has no run limit and no seed
 * (its mutator uses Math.random): the harness counts executions itself
 * (PTEFUZZ_JSFUZZ_RUNS, see harness/jsfuzz-session.js), and the run is not
 * repeatable. Everything runs in a temporary folder (artifacts, jsfuzz's
 * .nyc_output), removed at the end. Used by `ptefuzz fuzz --engine jsfuzz`
 * (src/cli) and by the benchmark (src/bench: `found`, `executions`,
 * `execsPerSec`); like them it starts processes and touches files, and it
 * reads the clock only through the injected `clock`.
 */
export interface JsfuzzRunOptions {
  readonly registry: ReaderRegistry;
  /** milliseconds since the epoch (Date.now): deadlines and the run's seconds */
  readonly clock: () => number;
  /** the targets byte 0 picks from (default: every scenario of the family with its readers and model) */
  readonly selection?: Selection;
  /** wall-clock budget in seconds */
  readonly seconds?: number;
  /** exact execution budget, over all restarts */
  readonly executions?: number;
  /** jsfuzz corpus folder (seed inputs run first, new inputs written back); default: a temporary one */
  readonly corpus?: string;
  /**
   * the watchdog, in seconds: the harness runs each execution as a watched call of this limit (one that does not
   * return is stopped and thrown as a crash: jsfuzz writes its input as an artifact), and jsfuzz's own `--timeout`
   * is JSFUZZ_STARTUP_SECONDS more (it counts its worker's start-up against the first input). Default: no watch in
   * the harness, jsfuzz's own 30 s
   */
  readonly timeout?: number;
  /**
   * the `--reader-module` files, by absolute path, with their CommonJS text (readerModuleCode): the harness loads
   * them from that text (a jsfuzz worker instruments every module it loads: the `typescript` package would cost it
   * ~30 s)
   */
  readonly readerModules?: Readonly<Record<string, string>>;
  /**
   * indices (in the harness's byte-0 order) of the targets no longer executed — they hung too often: read at
   * each session's start; the run ends when it is every target
   */
  readonly dropped?: () => readonly number[];
  /** stop at the first crash instead of restarting jsfuzz (the benchmark's time-to-find) */
  readonly stopAtFirst?: boolean;
  /** each jsfuzz status line (`#N NEW cov: …`) and divergence message, as printed */
  readonly onLine?: (line: string) => void;
  /**
   * each crash artifact (the input bytes), before the next restart; `executions` so far; `judged`: the divergence
   * the harness judged that input to be in jsfuzz's worker (absent for a crash of another kind: a harness
   * exception, a hung execution, jsfuzz's own timeout)
   */
  readonly onArtifact?: (bytes: Buffer, executions: number, judged?: JudgedDivergence) => void;
  readonly shouldStop?: () => boolean;
}

export interface JsfuzzRunResult {
  readonly family: HarnessFamily;
  /** the harness's targets, in byte-0 order */
  readonly targets: readonly Target[];
  /** per target, in `targets` order */
  readonly perTarget: readonly ReaderStats[];
  /** jsfuzz reported at least one crash */
  readonly found: boolean;
  readonly artifacts: number;
  readonly executions: number;
  readonly seconds: number;
  readonly execsPerSec: number;
  /** seconds from each session's first execution to its end, summed: the run without jsfuzz's start-ups */
  readonly activeSeconds: number;
  /** jsfuzz processes started */
  readonly sessions: number;
  readonly interrupted: boolean;
}

const HARNESS: Record<HarnessFamily, string> = { pae: 'pae.fuzz.js', arm64: 'arm64.fuzz.js' };

/** harness/ of the package, from src/jsfuzz (vitest) or dist/jsfuzz (built). */
export function harnessPath(family: HarnessFamily): string {
  return resolve(__dirname, '..', '..', 'harness', HARNESS[family]);
}

/**
 * What jsfuzz's own `--timeout` adds to the harness's limit: jsfuzz times an input from when it sent it, and its
 * first input from its own start — its worker's start-up (loading and instrumenting every module, 3–10 s) included
 * — checking every 3 s; without the margin a short limit would stop every session at its first input.
 */
export const JSFUZZ_STARTUP_SECONDS = 30;

function jsfuzzBin(): string {
  return join(dirname(require.resolve('jsfuzz/package.json')), 'build', 'src', 'index.js');
}

interface SessionStats {
  executions: number;
  targets: ReaderStats[];
  /** ms from the session's first execution to its last stats write (0 from an older harness) */
  activeMs?: number;
  /** the inputs the harness judged a divergence (a divergence stops jsfuzz: at most one per session) */
  divergences?: JudgedInput[];
}

/** A divergence as the harness judged it in jsfuzz's worker: the target's key and the divergence class. */
export interface JudgedDivergence {
  readonly target: string;
  readonly class: string;
}

interface JudgedInput extends JudgedDivergence {
  /** of the input bytes, hex */
  readonly sha256: string;
}

export async function runJsfuzz(o: JsfuzzRunOptions): Promise<JsfuzzRunResult> {
  const { targets, family } = harnessSelection(o.selection ?? {}, o.registry);
  const t0 = o.clock();
  const deadline = o.seconds !== undefined ? t0 + o.seconds * 1000 : Infinity;
  const perTarget = targets.map(() => emptyStats());
  const tmp = mkdtempSync(join(tmpdir(), 'ptefuzz-jsfuzz-'));
  const corpus = o.corpus !== undefined ? resolve(o.corpus) : join(tmp, 'corpus');
  mkdirSync(corpus, { recursive: true });
  const modules =
    o.readerModules !== undefined && Object.keys(o.readerModules).length > 0
      ? join(tmp, 'reader-modules.json')
      : undefined;
  if (modules !== undefined) writeFileSync(modules, JSON.stringify(o.readerModules));
  let executions = 0;
  let activeMs = 0;
  let artifacts = 0;
  let sessions = 0;
  let interrupted = false;
  try {
    for (;;) {
      const remaining = o.executions === undefined ? Infinity : o.executions - executions;
      const dropped = o.dropped?.() ?? [];
      if (remaining <= 0 || o.clock() >= deadline || dropped.length >= targets.length) break;
      if (o.shouldStop?.()) {
        interrupted = true;
        break;
      }
      sessions++;
      const statsPath = join(tmp, `stats-${sessions}.json`);
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        PTEFUZZ_JSFUZZ_SELECTION: JSON.stringify(portableSelection(o.selection ?? {})),
        PTEFUZZ_JSFUZZ_STATS: statsPath,
        ...(remaining !== Infinity ? { PTEFUZZ_JSFUZZ_RUNS: String(remaining) } : {}),
        ...(o.timeout !== undefined ? { PTEFUZZ_JSFUZZ_TIMEOUT: String(o.timeout) } : {}),
        ...(dropped.length > 0 ? { PTEFUZZ_JSFUZZ_DROPPED: JSON.stringify(dropped) } : {}),
        ...(modules !== undefined ? { PTEFUZZ_JSFUZZ_READER_MODULES: modules } : {}),
      };
      const s = await session(tmp, corpus, env, family, deadline, sessions, o);
      if (s.interrupted) interrupted = true;
      const st = readStats(statsPath);
      executions += st.executions;
      activeMs += st.activeMs ?? 0;
      st.targets.forEach((t, i) => addStats(perTarget[i]!, t));
      const crashes = readdirSync(tmp)
        .filter((f) => f.startsWith('crash-'))
        .sort();
      for (const f of crashes) {
        const bytes = readFileSync(join(tmp, f));
        rmSync(join(tmp, f));
        artifacts++;
        dropSeed(corpus, bytes);
        const sha256 = createHash('sha256').update(bytes).digest('hex');
        const judged = st.divergences?.find((d) => d.sha256 === sha256);
        o.onArtifact?.(bytes, executions, judged && { target: judged.target, class: judged.class });
      }
      if (interrupted || (o.stopAtFirst && artifacts > 0)) break;
      if (crashes.length === 0 && st.executions < remaining && o.clock() < deadline) {
        throw new UsageError(`jsfuzz stopped without a crash or a budget reached: ${s.tail.slice(-3).join(' | ')}`);
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const seconds = (o.clock() - t0) / 1000;
  return {
    family,
    targets,
    perTarget,
    found: artifacts > 0,
    artifacts,
    executions,
    seconds,
    execsPerSec: seconds > 0 ? Math.round(executions / seconds) : 0,
    activeSeconds: activeMs / 1000,
    sessions,
    interrupted,
  };
}

function readStats(path: string): SessionStats {
  if (!existsSync(path)) return { executions: 0, targets: [] };
  return JSON.parse(readFileSync(path, 'utf8')) as SessionStats;
}

/** A seed input that diverges would stop jsfuzz at every restart: it lives on as the crash file. */
function dropSeed(corpus: string, bytes: Buffer): void {
  // jsfuzz reads only the files of its corpus folder; anything else in it is not a seed
  for (const f of readdirSync(corpus, { withFileTypes: true })) {
    if (!f.isFile()) continue;
    const p = join(corpus, f.name);
    if (readFileSync(p).equals(bytes)) rmSync(p);
  }
}

/** One jsfuzz process, until it crashes, reaches the run limit, the deadline or a stop request. */
function session(
  cwd: string,
  corpus: string,
  env: NodeJS.ProcessEnv,
  family: HarnessFamily,
  deadline: number,
  n: number,
  o: JsfuzzRunOptions,
): Promise<{ interrupted: boolean; tail: string[] }> {
  return new Promise((done, fail) => {
    // jsfuzz's worker loads the target as path.join(cwd, argv): it must be relative
    const target = relative(cwd, harnessPath(family));
    const timeout = o.timeout !== undefined ? ['--timeout', String(o.timeout + JSFUZZ_STARTUP_SECONDS)] : [];
    const child = spawn(process.execPath, [jsfuzzBin(), target, corpus, ...timeout], {
      cwd,
      env,
      detached: true, // its own process group: the worker is killed with it
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tail: string[] = [];
    let interrupted = false;
    // SIGINT: jsfuzz's worker then exits at its next input (the harness saves its counts); jsfuzz itself
    // ignores SIGINT and ends with its worker. SIGKILL if that has not happened within 5 s.
    let killer: NodeJS.Timeout | undefined;
    const signal = (sig: NodeJS.Signals): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, sig);
      } catch {
        // already gone
      }
    };
    const kill = (): void => {
      if (killer) return;
      signal('SIGINT');
      killer = setTimeout(() => signal('SIGKILL'), 5000);
    };
    const onLine = (line: string): void => {
      if (/^#\d+ /.test(line)) o.onLine?.(`jsfuzz[${n}] ${line.replace(/\s+/g, ' ')}`);
      else if (line.startsWith('DivergenceError: '))
        o.onLine?.(`jsfuzz[${n}] ${line.slice('DivergenceError: '.length)}`);
      else if (line.startsWith('HungExecution: ')) o.onLine?.(`jsfuzz[${n}] ${line.slice('HungExecution: '.length)}`);
      else {
        tail.push(line);
        if (tail.length > 20) tail.shift();
      }
    };
    createInterface({ input: child.stdout }).on('line', onLine);
    createInterface({ input: child.stderr }).on('line', onLine);
    const timer = deadline === Infinity ? undefined : setTimeout(kill, Math.max(0, deadline - o.clock()));
    const poll = setInterval(() => {
      if (o.shouldStop?.()) {
        interrupted = true;
        kill();
      }
    }, 100);
    child.on('error', (e) => fail(new UsageError(`cannot run jsfuzz: ${e.message}`)));
    child.on('close', () => {
      if (timer) clearTimeout(timer);
      if (killer) clearTimeout(killer);
      clearInterval(poll);
      done({ interrupted, tail });
    });
  });
}
