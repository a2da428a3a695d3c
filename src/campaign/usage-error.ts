import { printable } from '../scenario';

/** A user-input problem: printed as one line, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    // one terminal line whatever the user typed (a flag value, a name in a file)
    super(printable(message));
  }
}
