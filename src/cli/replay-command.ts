import { basename, isAbsolute, relative, resolve } from 'node:path';
import { ptefuzzInvocation, workingFolder } from './invocation';
import { shellQuote } from '../crash';
import { DEFAULT_TIMEOUT_SECONDS } from './watchdog';

/**
 * The command that replays a crash file, ready to paste into a shell (paths
 * shell-quoted when they need it); `readerModule`: the module its reader comes from.
 */
export function replayCommandFor(file: string, readerModule?: string): string {
  return commandFor('replay', file, readerModule);
}

/** The command that draws a crash file (`show`), ready to paste as `replayCommandFor`'s. */
export function showCommandFor(file: string, readerModule?: string): string {
  return commandFor('show', file, readerModule);
}

function commandFor(verb: 'replay' | 'show', file: string, readerModule: string | undefined): string {
  const cwd = workingFolder();
  // a removed working folder: only an absolute path was writable, shown as it is
  const rel = cwd === undefined ? file : relative(cwd, file);
  const shown =
    cwd === undefined ? file : rel === '' || rel.startsWith('..') || isAbsolute(rel) ? resolve(cwd, file) : rel;
  return command(ptefuzzInvocation(), verb, shown, readerModule);
}

function command(invocation: string, verb: 'replay' | 'show', file: string, readerModule: string | undefined): string {
  const module = readerModule !== undefined ? `--reader-module ${shellQuote(readerModule)} ` : '';
  return `${invocation} ${verb} ${module}${shellQuote(file)}`;
}

/**
 * The replay command of a page to attach (`show --html`): `ptefuzz replay NAME.msgpack` — the crash file by its
 * name, not the path it was drawn from nor where ptefuzz is installed, so the same file draws the same bytes
 * wherever it lies and whoever draws it; `readerModule` as the file records it.
 */
export function pageReplayCommand(file: string, readerModule?: string): string {
  return command('ptefuzz', 'replay', basename(file), readerModule);
}

/** The command that replays a timeout file: under the watchdog, with the campaign's limit. */
export function timeoutReplayCommand(file: string, readerModule: string | undefined, seconds: number): string {
  const cmd = `${ptefuzzInvocation()} replay `;
  return replayCommandFor(file, readerModule).replace(
    cmd,
    `${cmd}${seconds !== DEFAULT_TIMEOUT_SECONDS ? `--timeout ${seconds} ` : ''}`,
  );
}
