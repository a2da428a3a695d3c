/**
 * Campaign output on stderr. With a time budget and a terminal on stderr, a
 * one-line progress bar stays at the bottom: every status line clears it
 * first and redraws it after. Not a terminal (a pipe, a file, CI, the tests):
 * no bar, and the output is exactly the status lines.
 */
export class CampaignOutput {
  /** whether the bar is drawn (a time budget and a terminal on stderr) */
  readonly bar: boolean;
  private shown = '';
  private lastDraw = 0;
  private info = '';

  constructor(
    private readonly stream: NodeJS.WriteStream,
    /** the time budget; no bar without one */
    private readonly seconds: number | undefined,
  ) {
    this.bar = seconds !== undefined && stream.isTTY === true;
  }

  /** Write text (whole lines) above the bar. */
  write(text: string): void {
    if (this.shown !== '') this.stream.write('\r\x1b[K');
    this.stream.write(text);
    if (this.shown !== '') this.stream.write(this.shown);
  }

  /** What the bar shows after the time, e.g. `#123456 exec/s: 9000 divergences: 2`. */
  setInfo(info: string): void {
    this.info = info;
  }

  /** Redraw the bar for `elapsed` seconds (at most 5 times a second unless forced). */
  progress(elapsed: number, now: number, force = false): void {
    if (!this.bar || this.seconds === undefined) return;
    if (!force && now - this.lastDraw < 200) return;
    this.lastDraw = now;
    const frac = Math.min(1, Math.max(0, elapsed / this.seconds));
    const cols = Math.max(40, this.stream.columns ?? 80);
    const tail = ` ${Math.floor(frac * 100)
      .toString()
      .padStart(3)}% ${Math.floor(elapsed)}/${Math.ceil(this.seconds)} s ${this.info}`;
    const width = Math.max(10, Math.min(40, cols - tail.length - 3));
    const full = Math.round(frac * width);
    const line = `[${'#'.repeat(full)}${'-'.repeat(width - full)}]${tail}`.slice(0, cols - 1);
    this.shown = line;
    this.stream.write(`\r\x1b[K${line}`);
  }

  /** Remove the bar (before the summary). */
  end(): void {
    if (this.shown !== '') this.stream.write('\r\x1b[K');
    this.shown = '';
  }
}
