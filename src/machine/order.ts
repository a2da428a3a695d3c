/**
 * Strings in UTF-16 code-unit order, as `Array.prototype.sort` without a comparator orders them: the same on
 * every machine. Never the locale's — `localeCompare` follows LANG/LC_ALL (eslint bans it) —, so every sorted
 * list ptefuzz prints or writes (states, findings, folder entries, suggestions) is the same bytes everywhere.
 */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
