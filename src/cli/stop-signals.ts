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

  constructor(private readonly onFirst: (sig: NodeJS.Signals) => void) {
    for (const sig of STOP_SIGNALS) process.on(sig, this.onSignal);
  }

  readonly shouldStop = (): boolean => this.signal !== undefined;

  dispose(): void {
    if (!this.installed) return;
    this.installed = false;
    for (const sig of STOP_SIGNALS) process.off(sig, this.onSignal);
  }
}
