import { statSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { builtinReaders } from '../kernel';
import { DEFAULT_FUZZ_ENGINE, DEFAULT_PCT_DEPTH, FUZZ_COMMAND_ENGINES } from '../engines';
import { MODEL_KINDS } from '../machine';
import { CAMPAIGN_MINIMIZE_SCHEDULES } from '../campaign';
import { TOOL_VERSION } from '../version';
import { EXIT_USAGE, reportUserError } from './errors';
import {
  collect,
  collectPath,
  diagramChoice,
  jobCount,
  nonNegativeInt,
  pathArg,
  positiveInt,
  positiveSeconds,
  watchdogSeconds,
  shardSpec,
} from './parse';
import { rejectRepeatedOptions } from './repeated-options';
import { DIAGRAM_CHOICES } from './divergence-lines';
import type { FuzzOptions } from './commands/fuzz';
import { fuzzCommand } from './commands/fuzz';
import type { ExploreOptions } from './commands/explore';
import {
  DEFAULT_LITMUS_MODEL,
  DEFAULT_MAX_EXECUTIONS,
  DEFAULT_SCENARIO_BOUND,
  exploreCommand,
} from './commands/explore';
import { listCommand } from './commands/list';
import type { CheckOptions } from './commands/check';
import { checkCommand } from './commands/check';
import type { LitmusOptions } from './commands/litmus';
import { litmusCommand } from './commands/litmus';
import type { MergeOptions } from './commands/merge';
import { mergeCommand } from './commands/merge';
import { DEFAULT_MINIMIZE_SCHEDULES, minimizeCommand } from './commands/minimize';
import { replayCommand } from './commands/replay';
import type { ShowOptions } from './commands/show';
import { showCommand } from './commands/show';
import { jsfuzzCommand } from './commands/fuzz-jsfuzz';
import { MODULE_EXTENSIONS, registerReaderModules } from './reader-modules';
import { DEFAULT_TIMEOUT_SECONDS } from './watchdog';
import type { MatrixOptions } from './commands/matrix';
import { DEFAULT_MATRIX_RUNS, DEFAULT_MATRIX_SEED, MATRIX_ENGINES, matrixCommand } from './commands/matrix';
import { workingFolder } from './invocation';
import { StopSignals } from './stop-signals';

export { guardOutputStreams } from './streams';

const READER_MODULE = '--reader-module <path>';
const MODELS = MODEL_KINDS.join('|');
/** The models `fuzz` and `explore` run a scenario's reader under without --model (selectTargets' withBugModels). */
const SCENARIO_MODELS =
  'each scenario’s model (its `model` line, else its architecture’s) and the models its reader’s `bug under M` clauses name';
const READER_MODULE_HELP = `load user readers from a ${MODULE_EXTENSIONS.join('/')} module and register them beside the built-in ones (repeatable)`;
/** The schedule search of the program passes, as `minimize --schedules` and the campaigns' `--minimize-schedules` say it. */
const SEARCH_HELP =
  "seeded random schedules tried on a smaller candidate program that the witness's schedule, carried over, does not fail; 0: none";
/** `--minimize-schedules` of a campaign command, whose minimizations are `what`. */
const minimizeSchedulesHelp = (what: string): string =>
  `${what}: ${SEARCH_HELP} (default ${CAMPAIGN_MINIMIZE_SCHEDULES}; \`ptefuzz minimize\` searches ${DEFAULT_MINIMIZE_SCHEDULES})`;

interface ModuleOption {
  readerModule?: string[];
}

/**
 * The `ptefuzz` command line. The only place that touches argv, stdout/stderr
 * and exit codes: 0 no divergence, 1 divergence found, 2 bad usage or input.
 */
export async function main(argv: readonly string[]): Promise<number> {
  if (workingFolder() === undefined) {
    // Node's own worker threads and path resolution need it: a stack trace otherwise
    process.stderr.write('ptefuzz: the working folder no longer exists (it was removed); cd to an existing folder\n');
    return EXIT_USAGE;
  }
  const registry = builtinReaders();
  let code = 0;
  const program = new Command('ptefuzz')
    .description('Differential fuzzing of Linux lockless pte readers against a sequentially consistent reference')
    .version(TOOL_VERSION)
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      // one line: commander puts its "(Did you mean …?)" on a line of its own
      outputError: (str, write) =>
        write(
          `ptefuzz: ${str
            .replace(/^error: /, '')
            .trim()
            .replace(/\s*\n\s*/g, ' ')}\n`,
        ),
    });

  program
    .command('fuzz')
    .description('run a fuzz campaign; minimized divergences are written to the crash folder')
    .option(
      '--scenario <name>',
      'built-in scenario, .scn file or .litmus test (repeatable; default: all built-in)',
      collect,
    )
    .option('--reader <name>', 'reader under test (repeatable; default: every reader the scenario names)', collect)
    .option('--contract <name>', "contract to judge by (default: each reader's declared contract)")
    .option('--model <model>', `memory model ${MODELS} (repeatable; default: ${SCENARIO_MODELS})`, collect)
    .addOption(
      new Option('--engine <name>', `engine: ${FUZZ_COMMAND_ENGINES.join(' | ')}`).default(DEFAULT_FUZZ_ENGINE),
    )
    .option(
      '--depth <d>',
      `PCT bug depth d: d-1 priority change points (engine pct; default ${DEFAULT_PCT_DEPTH})`,
      positiveInt,
    )
    .option('--runs <n>', 'number of runs (schedules); engine jsfuzz: executions of the harness target', positiveInt)
    .option('--time <seconds>', 'time budget in seconds (default 60 when --runs is not given)', positiveSeconds)
    .option('--seed <n>', 'campaign seed (default: chosen at random and printed)', nonNegativeInt)
    .option('--crashes <dir>', 'crash folder', pathArg, 'crashes')
    .option(
      '--corpus <dir>',
      'corpus folder: engine coverage reloads it on start and shares it between workers (default: corpus/generated); engine jsfuzz runs its byte inputs first (default: a temporary folder)',
      pathArg,
    )
    .option('--json', 'print a JSON summary on stdout at the end')
    .option(
      '--jobs <n>',
      'worker threads, each running its share of the runs (default 1: one worker thread, watched by this one)',
      jobCount,
    )
    .option(
      '--shard <i/N>',
      "run shard i of an N-machine campaign (1-based; needs --seed; the shards' runs are disjoint)",
      shardSpec,
    )
    .option(
      '--timeout <seconds>',
      `watchdog: stop an execution running longer than this, save it as a timeout crash file and continue (default ${DEFAULT_TIMEOUT_SECONDS})`,
      watchdogSeconds,
    )
    .option('--minimize-schedules <n>', minimizeSchedulesHelp('minimization of a divergence'), nonNegativeInt)
    .option(
      '--diagrams <which>',
      `the new divergences whose CPU-column diagram is printed: ${DIAGRAM_CHOICES.join(' | ')} (the others get one line with their \`show\` command; default: all for a campaign over one scenario, else unexpected — those the scenario expects correct)`,
      diagramChoice,
    )
    .option(READER_MODULE, READER_MODULE_HELP, collectPath)
    .action(async (opts: FuzzOptions & ModuleOption, cmd: Command) => {
      // first thing: a signal while reader modules, scenario files and the corpus load ends the campaign cleanly
      const signals = new StopSignals();
      try {
        const o = { ...opts, crashesGiven: cmd.getOptionValueSource('crashes') === 'cli' };
        registerReaderModules(o.readerModule, registry, { seconds: o.timeout });
        code =
          o.engine === 'jsfuzz' ? await jsfuzzCommand(o, registry, signals) : await fuzzCommand(o, registry, signals);
      } finally {
        signals.dispose();
      }
    });

  program
    .command('explore')
    .description(
      'exhaustive engine: enumerate every trace of a scenario (or litmus shape) under a preemption bound; print the reachable outcomes herd7-style',
    )
    .option('--scenario <name>', 'built-in scenario, .scn file or .litmus file (repeatable)', collect)
    .option('--litmus <shape>', 'built-in litmus shape, e.g. MP+wmb+rmb (repeatable)', collect)
    .option('--reader <name>', 'reader under test (repeatable; default: every reader the scenario names)', collect)
    .option('--contract <name>', "contract to judge by (default: each reader's declared contract)")
    .option(
      '--model <model>',
      `memory model ${MODELS} (repeatable; default: ${SCENARIO_MODELS}, as fuzz; ${DEFAULT_LITMUS_MODEL} for litmus shapes and tests judged by their condition)`,
      collect,
    )
    .option(
      '--bound <k>',
      `preemption bound: at most K switches away from a CPU that could have run on; read-from and drain choices are not counted (default ${DEFAULT_SCENARIO_BOUND} for scenarios, none for litmus shapes)`,
      nonNegativeInt,
    )
    .option('--max-executions <n>', 'stop the enumeration after n executions', positiveInt, DEFAULT_MAX_EXECUTIONS)
    .option(
      '--crashes <dir>',
      'crash folder: --scenario writes the minimized first witness of each divergent state there (one file per distinct divergence)',
      pathArg,
      'crashes',
    )
    .option(
      '--timeout <seconds>',
      `watchdog of a scenario's search: an execution running longer than this stops that target's search (no claim about it) and is saved as a timeout crash file (default ${DEFAULT_TIMEOUT_SECONDS})`,
      watchdogSeconds,
    )
    .option(
      '--minimize-schedules <n>',
      minimizeSchedulesHelp("minimization of a divergent state's witness (--scenario)"),
      nonNegativeInt,
    )
    .option(READER_MODULE, READER_MODULE_HELP, collectPath)
    .action(async (opts: ExploreOptions & ModuleOption, cmd: Command) => {
      // first thing: a signal while reader modules and scenario files load ends the search cleanly
      const signals = new StopSignals();
      try {
        const o = { ...opts, crashesGiven: cmd.getOptionValueSource('crashes') === 'cli' };
        registerReaderModules(o.readerModule, registry, { seconds: o.timeout });
        code = await exploreCommand(o, registry, signals);
      } finally {
        signals.dispose();
      }
    });

  program
    .command('replay')
    .description(
      're-execute crash files (files or folders, searched to every depth); exit 0 iff every one reproduces its verdict, 2 if none was found',
    )
    .argument(
      '<path...>',
      'crash files, or folders holding *.msgpack crash files at any depth (corpus entries skipped)',
    )
    .option('--diagram', 'print the CPU-column diagram of every file')
    .option(
      '--timeout <seconds>',
      `watchdog: a timeout file's replay (in a watched worker thread) counts as hung again after this; a divergence file's replay running longer is stopped and not reproduced (default ${DEFAULT_TIMEOUT_SECONDS})`,
      watchdogSeconds,
    )
    .option(READER_MODULE, READER_MODULE_HELP, collectPath)
    .action(async (paths: string[], o: { diagram?: boolean; timeout?: number } & ModuleOption) => {
      registerReaderModules(o.readerModule, registry, { seconds: o.timeout });
      code = await replayCommand(paths, registry, o.diagram === true || (paths.length === 1 && !isFolder(paths[0]!)), {
        seconds: o.timeout ?? DEFAULT_TIMEOUT_SECONDS,
        readerModules: o.readerModule ?? [],
      });
    });

  program
    .command('show')
    .description('print a crash file as a CPU-column diagram with observed and allowed values')
    .argument('<file>', 'crash file')
    .option('--html <out>', 'write a self-contained HTML timeline (lanes, read-from arrows) to this file', pathArg)
    .option('--litmus', 'print the witness as an LKMM C litmus test (herd7 syntax); exit 2 if it has no such form')
    .option(
      '--timeout <seconds>',
      `watchdog: a replay running longer than this is stopped (exit 1) (default ${DEFAULT_TIMEOUT_SECONDS})`,
      watchdogSeconds,
    )
    .option(READER_MODULE, READER_MODULE_HELP, collectPath)
    .action((file: string, o: ShowOptions & ModuleOption) => {
      registerReaderModules(o.readerModule, registry, { seconds: o.timeout });
      code = showCommand(file, registry, o);
    });

  program
    .command('minimize')
    .description(
      're-minimize crash files (files or folders, searched to every depth) and rewrite each under its fingerprint name',
    )
    .argument(
      '<path...>',
      'crash files, or folders holding *.msgpack crash files at any depth (corpus entries skipped)',
    )
    .option(
      '--timeout <seconds>',
      `watchdog: an execution (the replay, a candidate of the minimizer) running longer than this is stopped and its file left as it was (exit 1) (default ${DEFAULT_TIMEOUT_SECONDS})`,
      watchdogSeconds,
    )
    .option('--schedules <n>', `${SEARCH_HELP} (default ${DEFAULT_MINIMIZE_SCHEDULES})`, nonNegativeInt)
    .option(READER_MODULE, READER_MODULE_HELP, collectPath)
    .action((paths: string[], o: { timeout?: number; schedules?: number } & ModuleOption) => {
      registerReaderModules(o.readerModule, registry, { seconds: o.timeout });
      code = minimizeCommand(paths, registry, o.timeout, o.schedules);
    });

  program
    .command('check')
    .description('parse and lower scenario files (.scn) and C litmus tests (.litmus) without running them')
    .argument('<file...>', '.scn or .litmus files')
    .option('--print', "print each file's canonical text (the printer's output, what crash files store)")
    .option(READER_MODULE, READER_MODULE_HELP, collectPath)
    .action((files: string[], o: CheckOptions & ModuleOption) => {
      registerReaderModules(o.readerModule, registry);
      code = checkCommand(files, registry, o);
    });

  program
    .command('litmus')
    .description(
      "enumerate herd7 C litmus tests exhaustively and print herd7's answer (States, Ok/No, Witnesses, Observation)",
    )
    .argument(
      '<file...>',
      '.litmus files (the herd7 C subset: READ_ONCE, WRITE_ONCE, smp_*, acquire/release, xchg, cmpxchg)',
    )
    .option('--model <model>', `memory model ${MODELS} (repeatable; default weak)`, collect)
    .option('--bound <k>', 'preemption bound (default: none, every trace)', nonNegativeInt)
    .option('--max-executions <n>', 'stop the enumeration after n executions', positiveInt, DEFAULT_MAX_EXECUTIONS)
    .action((files: string[], o: LitmusOptions) => {
      code = litmusCommand(files, o);
    });

  program
    .command('merge')
    .description(
      'merge crash folders and corpus folders (e.g. of shards) into OUT: union by content-addressed name; files that do not load are reported and skipped',
    )
    .argument('<out>', 'folder to merge into (created if missing)')
    .argument('<in...>', 'crash or corpus folders to merge')
    .option(
      '--distill',
      "corpus entries: keep only those that add interleaving coverage (a (counter, bucket) bit) for their target, shortest first (afl-cmin, libFuzzer -merge=1); OUT's entries are kept",
    )
    .option(
      '--scenario <file>',
      'with --distill: a .scn file whose corpus entries are replayed (repeatable)',
      collectPath,
    )
    .option(
      '--timeout <seconds>',
      `with --distill, the watchdog: stop a replay running longer than this; its entry is kept, undistilled (default ${DEFAULT_TIMEOUT_SECONDS})`,
      watchdogSeconds,
    )
    .option(READER_MODULE, READER_MODULE_HELP, collectPath)
    .action(async (out: string, inputs: string[], o: MergeOptions & ModuleOption) => {
      registerReaderModules(o.readerModule, registry, { seconds: o.timeout });
      code = await mergeCommand(out, inputs, o, registry);
    });

  program
    .command('list')
    .description('list scenarios, readers, contracts, memory models and engines')
    .option('--json', 'machine-readable')
    .option(READER_MODULE, READER_MODULE_HELP, collectPath)
    .action((o: { json?: boolean } & ModuleOption) => {
      registerReaderModules(o.readerModule, registry);
      code = listCommand(registry, o.json === true);
    });

  program
    .command('matrix')
    .description(
      'reader × contract × memory model verdict table over the built-in scenarios, checked against each scenario’s expectations',
    )
    .option('--scenario <name>', 'built-in scenario or .scn file (repeatable; default: all built-in)', collect)
    .option(
      '--reader <name>',
      'restrict to these readers (repeatable; default: every reader the scenario names)',
      collect,
    )
    .option('--contract <name>', 'restrict to these contracts (repeatable; default: all)', collect)
    .option(
      '--model <model>',
      `restrict to these memory models (repeatable; default: ${MODEL_KINDS.join(', ')})`,
      collect,
    )
    .addOption(new Option('--engine <name>', `engine: ${MATRIX_ENGINES.join(' | ')}`).default('random'))
    .option('--depth <d>', `PCT bug depth d (engine pct; default ${DEFAULT_PCT_DEPTH})`, positiveInt)
    .option('--runs <n>', `runs (schedules) per scenario (default ${DEFAULT_MATRIX_RUNS})`, positiveInt)
    .option('--seed <n>', 'seed', nonNegativeInt, DEFAULT_MATRIX_SEED)
    .option('--bound <k>', `preemption bound (engine exhaustive; default ${DEFAULT_SCENARIO_BOUND})`, nonNegativeInt)
    .option(
      '--max-executions <n>',
      'engine exhaustive: stop each reader × model enumeration after n executions',
      positiveInt,
      DEFAULT_MAX_EXECUTIONS,
    )
    .option('--crashes <dir>', 'write a minimized crash file per divergent cell and class to this folder', pathArg)
    .option(
      '--minimize-schedules <n>',
      minimizeSchedulesHelp('with --crashes, minimization of a witness'),
      nonNegativeInt,
    )
    .option('--json', 'machine-readable result on stdout')
    .option(
      '--timeout <seconds>',
      `watchdog: an execution running longer than this stops the matrix (one line, exit 1) (default ${DEFAULT_TIMEOUT_SECONDS})`,
      watchdogSeconds,
    )
    .option(READER_MODULE, READER_MODULE_HELP, collectPath)
    .action((o: MatrixOptions & ModuleOption) => {
      registerReaderModules(o.readerModule, registry, { seconds: o.timeout });
      code = matrixCommand(o, registry);
    });

  rejectRepeatedOptions(program);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
      return EXIT_USAGE;
    }
    return reportUserError(e);
  }
}

/** A path naming a folder (a trailing `/`, or a folder on disk): `replay` of one file prints its diagram, of one folder not. */
function isFolder(path: string): boolean {
  return path.endsWith('/') || statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
}
