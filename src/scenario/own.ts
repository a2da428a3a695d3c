/**
 * `table[name]` when `name` is one of the table's own keys, else undefined. A name from a file (an instruction, an
 * architecture, a register) indexing a plain object would also find Object.prototype's members — `toString`,
 * `constructor`, `__proto__` — and take a function for a table entry: a TypeError, or an error quoting its source.
 */
export function own<T>(table: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined;
}
