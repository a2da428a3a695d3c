/**
 * `npm run soak -- --time SECONDS`: a long campaign over every built-in
 * scenario, run as a child process exactly as a user runs it
 * (`ptefuzz fuzz --time S --corpus … --crashes …`), watched from outside:
 * resident memory sampled every second (Linux /proc/PID/status VmRSS and
 * VmHWM; elsewhere the `rss:` field of the campaign's status lines), the
 * exit code, and stderr scanned for stack traces. Reports RSS at the
 * one-minute mark and at the end, peak RSS, executions, corpus entries and
 * crash files, and checks the long-campaign targets of issue 8: RSS at the
 * end within 25% of RSS at one minute, peak under 1 GB, no crash of the tool.
 * Writes bench-results/soak.json atomically; exit 0 when every check holds.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { writeFileAtomic } from '../crash';
import { DEFAULT_FUZZ_ENGINE, FUZZ_ENGINES } from '../engines';
import { jobCount, positiveInt, positiveSeconds } from '../cli/parse';

/** One RSS observation of the campaign process, `t` seconds after it started. */
export interface RssSample {
  readonly t: number;
  readonly rssMb: number;
}

export interface SoakLimits {
  /** the end RSS may differ from the reference-mark RSS by at most this share */
  readonly drift: number;
  /** peak RSS ceiling */
  readonly peakMb: number;
}

export const SOAK_LIMITS: SoakLimits = { drift: 0.25, peakMb: 1024 };

/** The reference mark: one minute, or half the campaign when it is shorter than two minutes. */
export function referenceMark(seconds: number): number {
  return seconds >= 120 ? 60 : seconds / 2;
}

export interface SoakFigures {
  readonly markSeconds: number;
  readonly rssAtMarkMb: number;
  readonly rssAtEndMb: number;
  readonly peakRssMb: number;
  readonly drift: number;
}

/**
 * RSS at the mark (the first sample at or after it), at the end (the last
 * sample at or before `endSeconds` — when the campaign printed its DONE line:
 * after it the worker threads stop and their heaps go, which says nothing of
 * the campaign's memory — else the last sample) and the peak (the larger of
 * the largest sample and the kernel's high-water mark, when known). Null when
 * no sample reached the mark.
 */
export function soakFigures(
  samples: readonly RssSample[],
  markSeconds: number,
  hwmMb = 0,
  endSeconds?: number,
): SoakFigures | null {
  const atMark = samples.find((s) => s.t >= markSeconds);
  const running = endSeconds === undefined ? samples : samples.filter((s) => s.t <= endSeconds);
  const end = running[running.length - 1] ?? samples[samples.length - 1];
  if (atMark === undefined || end === undefined) return null;
  const peak = Math.max(hwmMb, ...samples.map((s) => s.rssMb));
  return {
    markSeconds,
    rssAtMarkMb: atMark.rssMb,
    rssAtEndMb: end.rssMb,
    peakRssMb: peak,
    drift: (end.rssMb - atMark.rssMb) / atMark.rssMb,
  };
}

/** The failed checks (empty: the soak passed). */
export function soakFailures(
  f: SoakFigures | null,
  exitCode: number | null,
  stackTrace: string | null,
  limits: SoakLimits = SOAK_LIMITS,
): string[] {
  const out: string[] = [];
  if (exitCode !== 0 && exitCode !== 1)
    out.push(`the campaign exited with ${exitCode ?? 'a signal'} (expected 0 or 1)`);
  if (stackTrace !== null) out.push(`stack trace on stderr: ${stackTrace}`);
  if (f === null) {
    out.push('no RSS sample reached the reference mark');
    return out;
  }
  if (Math.abs(f.drift) > limits.drift)
    out.push(
      `RSS at the end ${f.rssAtEndMb.toFixed(0)} MB is ${(f.drift * 100).toFixed(1)}% from ${f.rssAtMarkMb.toFixed(0)} MB at ${f.markSeconds} s (limit ±${limits.drift * 100}%)`,
    );
  if (f.peakRssMb >= limits.peakMb) out.push(`peak RSS ${f.peakRssMb.toFixed(0)} MB ≥ ${limits.peakMb} MB`);
  return out;
}

/** VmRSS and VmHWM of a live process in MB (Linux), or null. */
function procRss(pid: number): { rss: number; hwm: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN);
    const rss = kb('VmRSS');
    const hwm = kb('VmHWM');
    return Number.isFinite(rss) ? { rss: rss / 1024, hwm: Number.isFinite(hwm) ? hwm / 1024 : 0 } : null;
  } catch {
    return null;
  }
}

/** Files ending in .msgpack under `dir`, recursively. */
export function countMsgpack(dir: string): number {
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) n += countMsgpack(p);
    else if (e.endsWith('.msgpack')) n++;
  }
  return n;
}

interface SoakOptions {
  time: number;
  jobs: number;
  seed: number;
  engine: string;
  out: string;
}

interface CampaignJson {
  executions?: number;
  runs?: number;
  divergences?: unknown[];
}

async function soak(o: SoakOptions): Promise<number> {
  const root = resolve(__dirname, '..', '..');
  const work = resolve(o.out, 'soak');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const corpus = join(work, 'corpus');
  const crashes = join(work, 'crashes');
  const args = [
    join(root, 'bin', 'ptefuzz.js'),
    'fuzz',
    '--time',
    String(o.time),
    '--seed',
    String(o.seed),
    '--engine',
    o.engine,
    '--jobs',
    String(o.jobs),
    '--crashes',
    crashes,
    '--json',
    ...(o.engine === 'coverage' ? ['--corpus', corpus] : []),
  ];
  process.stderr.write(`soak: node ${args.map((a) => a.replace(root + '/', '')).join(' ')}\n`);
  // /proc (Linux) or, elsewhere, the rss: field of the status lines — decided once
  const fromProc = procRss(process.pid) !== null;
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const started = Date.now();
  const samples: RssSample[] = [];
  let hwm = 0;
  /** seconds from the start to the campaign's DONE status line */
  let doneAt: number | undefined;
  let stdout = '';
  let stackTrace: string | null = null;
  let partial = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => {
    const lines = (partial + b.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (stackTrace === null && /^\s+at .+\(.+:\d+:\d+\)$|^\s+at .+:\d+:\d+$/.test(line)) stackTrace = line.trim();
      const rss = fromProc ? null : /\brss: (\d+) MB/.exec(line);
      if (rss) samples.push({ t: (Date.now() - started) / 1000, rssMb: Number(rss[1]) });
      if (/\t(pulse|DONE)\t/.test(line)) process.stderr.write(`soak: ${line}\n`);
      if (doneAt === undefined && /\tDONE\t/.test(line)) doneAt = (Date.now() - started) / 1000;
    }
  });
  const timer = setInterval(() => {
    const r = !fromProc || child.pid === undefined ? null : procRss(child.pid);
    if (r === null) return;
    samples.push({ t: (Date.now() - started) / 1000, rssMb: r.rss });
    hwm = Math.max(hwm, r.hwm);
  }, 1000);
  const exitCode = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
  clearInterval(timer);
  const seconds = (Date.now() - started) / 1000;
  let summary: CampaignJson = {};
  try {
    summary = JSON.parse(stdout) as CampaignJson;
  } catch {
    // reported below as missing figures; the exit code check names the failure
  }
  const figures = soakFigures(samples, referenceMark(o.time), hwm, doneAt);
  const failures = soakFailures(figures, exitCode, stackTrace);
  const report = {
    time: o.time,
    jobs: o.jobs,
    seed: o.seed,
    engine: o.engine,
    seconds: Number(seconds.toFixed(1)),
    exitCode,
    executions: summary.executions ?? null,
    runs: summary.runs ?? null,
    distinctDivergences: summary.divergences?.length ?? null,
    corpusEntries: countMsgpack(corpus),
    crashFiles: countMsgpack(crashes),
    ...(figures ?? {}),
    samples: samples.length,
    // the RSS curve, one sample in ten ([seconds, MB]), and where the campaign printed DONE
    rssCurve: samples.filter((_, i) => i % 10 === 0).map((x) => [Math.round(x.t), Math.round(x.rssMb)]),
    doneSeconds: doneAt === undefined ? null : Number(doneAt.toFixed(1)),
    failures,
  };
  mkdirSync(o.out, { recursive: true });
  writeFileAtomic(join(o.out, 'soak.json'), JSON.stringify(report, null, 2) + '\n');
  const mb = (x: number | undefined) => (x === undefined ? 'n/a' : `${x.toFixed(0)} MB`);
  process.stdout.write(
    [
      `| soak (${o.engine}, --jobs ${o.jobs}, seed ${o.seed}) | value |`,
      '|---|---|',
      `| duration | ${report.seconds} s |`,
      `| executions | ${report.executions ?? 'n/a'} |`,
      `| exec/s | ${report.executions !== null ? Math.round(report.executions / seconds) : 'n/a'} |`,
      `| corpus entries | ${report.corpusEntries} |`,
      `| crash files (distinct divergences) | ${report.crashFiles} |`,
      `| RSS at ${figures?.markSeconds ?? referenceMark(o.time)} s | ${mb(figures?.rssAtMarkMb)} |`,
      `| RSS at the end | ${mb(figures?.rssAtEndMb)} (${figures ? `${(figures.drift * 100).toFixed(1)}%` : 'n/a'}) |`,
      `| peak RSS | ${mb(figures?.peakRssMb)} |`,
      `| exit code | ${exitCode} |`,
      `| result | ${failures.length === 0 ? 'pass' : `FAIL: ${failures.join('; ')}`} |`,
    ].join('\n') + '\n',
  );
  process.stderr.write(`soak: wrote ${join(o.out, 'soak.json')}; corpus and crashes kept in ${work}/\n`);
  return failures.length === 0 ? 0 : 1;
}

export async function soakMain(argv: readonly string[]): Promise<number> {
  let run: Promise<number> = Promise.resolve(0);
  const program = new Command('soak')
    .description('long campaign over every built-in scenario, watched for memory growth and tool crashes')
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(`ptefuzz soak: ${str.replace(/^error: /, '').trim()}\n`) })
    .option('--time <seconds>', 'campaign length', positiveSeconds, 3600)
    .option('--jobs <n>', 'worker threads of the campaign', jobCount, 1)
    .option('--seed <n>', 'campaign seed', positiveInt, 1)
    .option('--engine <name>', `engine: ${FUZZ_ENGINES.join(' | ')}`, DEFAULT_FUZZ_ENGINE)
    .option('--out <dir>', 'output folder', 'bench-results')
    .action((o: SoakOptions) => {
      if (!(FUZZ_ENGINES as readonly string[]).includes(o.engine)) {
        process.stderr.write(
          `ptefuzz soak: --engine: expected one of ${FUZZ_ENGINES.join(', ')}, found "${o.engine}"\n`,
        );
        run = Promise.resolve(2);
        return;
      }
      run = soak(o);
    });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return await run;
  } catch (e) {
    if (e instanceof CommanderError) return e.code === 'commander.helpDisplayed' ? 0 : 2;
    throw e;
  }
}

if (require.main === module) {
  void soakMain(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
