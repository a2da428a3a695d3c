import { EXIT_USAGE } from './errors';

/**
 * What happens when the reader of ptefuzz's output goes away. `ptefuzz replay
 * crashes/ | head -1` closes the pipe after one line; Node ignores SIGPIPE, so
 * the next write fails with EPIPE, and an unhandled stream error is a stack
 * trace. A C tool would die of SIGPIPE instead, quietly, and the shell would
 * see 128 + 13: so does ptefuzz. Files already written stay (every write is
 * atomic); what the closed pipe would have received is not needed by anyone.
 * Any other error on an output stream (EIO: the terminal is gone) is one line
 * on whichever stream still works, and exit 2.
 */

/** The exit status of a process killed by SIGPIPE, as a shell reports it. */
export const EXIT_BROKEN_PIPE = 128 + 13;

/** Install the handlers on the process's stdout and stderr (once, from the launcher). */
export function guardOutputStreams(
  streams: readonly NodeJS.WritableStream[] = [process.stdout, process.stderr],
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  for (const s of streams) {
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') return exit(EXIT_BROKEN_PIPE);
      const other = streams.find((o) => o !== s);
      try {
        other?.write(`ptefuzz: cannot write the output (${e.code ?? e.message})\n`);
      } catch {
        // nowhere left to say it
      }
      exit(EXIT_USAGE);
    });
  }
}
