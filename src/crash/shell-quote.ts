/**
 * An argument as a POSIX shell reads it back: unchanged when every character
 * is one no shell treats specially (letters, digits, `_ @ % + = : , . / -`),
 * else in single quotes with each `'` written `'\''` — so a command ptefuzz
 * prints for the user to copy runs on the file it names, whatever the path.
 */
export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
