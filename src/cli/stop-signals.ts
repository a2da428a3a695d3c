/** The signals that stop a campaign or a search cleanly (the second one aborts it). */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * SIGINT/SIGTERM/SIGHUP while `fuzz` runs a campaign or `explore` searches:
 * the first one is recorded (`signal`) and handed to `onFirst`, which asks the
 * work to stop at its next boundary; a second one, while the handlers are
 * installed, uninstalls them and re-raises the signal, which ends the process
 * at once (the shell sees it; files are written atomically, so none is
 * half-written). `dispose` uninstalls the handlers: after it a signal has its
 * default effect.
 *
 * `fuzz` and `explore` install it first thing (src/cli/main.ts), before they
 * load reader modules, scenario files and the corpus, so a signal during that
 * start-up is recorded instead of killing the process: Node runs a handler on
 * the event loop, so a synchronous load delays it but does not lose the
 * signal. The command then `handle`s it and, seeing a signal before its first
 * execution, ends cleanly (notStartedLine). Until `handle` is called the first
 * signal only prints `INFO: SIG: stopping before the first execution …`.
 */
export class StopSignals {
  signal: NodeJS.Signals | undefined;
  private installed = true;
  private readonly onSignal = (sig: NodeJS.Signals): void => {
    if (this.signal !== undefined) {
      this.dispose();
      process.kill(process.pid, sig);
      return;
    }
    this.signal = sig;
    this.onFirst(sig);
  };

  constructor(
    private onFirst: (sig: NodeJS.Signals) => void = (sig) =>
      void process.stderr.write(`INFO: ${sig}: stopping before the first execution (send it again to abort at once)\n`),
  ) {
    for (const sig of STOP_SIGNALS) process.on(sig, this.onSignal);
  }

  /** From now on hand the first signal to `onFirst` (one already received is not handed on: see `signal`). */
  handle(onFirst: (sig: NodeJS.Signals) => void): void {
    this.onFirst = onFirst;
  }

  readonly shouldStop = (): boolean => this.signal !== undefined;

  dispose(): void {
    if (!this.installed) return;
    this.installed = false;
    for (const sig of STOP_SIGNALS) process.off(sig, this.onSignal);
  }
}

/** One turn of the event loop: pending signal handlers run (libuv polls its signal pipe before the check phase). */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The one line of a command a signal stopped before its first execution (`what`: what was not run):
 * nothing was run, so the command claims nothing.
 */
export function notStartedLine(sig: string, what: string): string {
  return `INTERRUPTED by ${sig} before the first execution: ${what}; no claim about any of them`;
}
