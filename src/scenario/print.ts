import type { Arg, Item, ScnFile, Stmt, Value } from './ast';
import { printCond } from './cond';

/**
 * The canonical text of a `.scn` file: one directive per line, single
 * spaces, two-space indented CPU bodies, strings re-quoted, numbers as
 * written, comments and single blank lines kept. `printScn(parseScn(t)) === t`
 * for every canonical file (a tested law over the corpus).
 */
export function printScn(f: ScnFile): string {
  return f.items.map(printItem).join('\n') + '\n';
}

/**
 * What a `.scn` file makes run, as text: printScn without comments, blank lines, `title`, `source` and `claim` — two
 * files with the same program key run the same executions and are judged alike (their `reader` lines included).
 */
export function programKey(f: ScnFile): string {
  const prose = new Set(['blank', 'comment', 'title', 'source', 'claim']);
  const items = f.items
    .filter((it) => !prose.has(it.kind))
    .map((it) =>
      it.kind === 'cpu'
        ? {
            ...it,
            comment: undefined,
            body: it.body.filter((st) => st.kind === 'call').map((st) => ({ ...st, comment: undefined })),
          }
        : { ...it, comment: undefined },
    );
  return printScn({ ...f, items: items as ScnFile['items'] });
}

/**
 * What a `.scn` file's CPUs execute, as text — the identity of the program a crash file's witness is a schedule
 * of (`CrashScenario.program`): programKey without the `reader` and `model` lines (a crash file names its reader,
 * contract and model itself), numbers in one spelling (`0x00010067` and `0x10067` are one program). Editing a
 * comment, the title, an `expect` clause or which readers a file declares leaves it unchanged; editing a value,
 * a location, a CPU or an operation changes it.
 */
export function programIdentity(f: ScnFile): string {
  const canon = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(canon);
    if (typeof x !== 'object' || x === null) return x;
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) o[k] = canon(v);
    if (typeof o['value'] === 'bigint' && typeof o['raw'] === 'string') o['raw'] = o['value'].toString();
    return o;
  };
  const runs = f.items.filter((it) => it.kind !== 'reader' && it.kind !== 'model');
  return programKey(canon({ ...f, items: runs }) as ScnFile);
}

const quote = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const trailing = (c: string | undefined): string => (c === undefined ? '' : c === '' ? ' #' : ` # ${c}`);

function printItem(it: Item): string {
  switch (it.kind) {
    case 'blank':
      return '';
    case 'comment':
      return it.text === '' ? '#' : `# ${it.text}`;
    case 'scenario':
    case 'arch':
    case 'model':
    case 'flush':
      return `${it.kind} ${it.name}${trailing(it.comment)}`;
    case 'title':
    case 'source':
    case 'claim':
      return `${it.kind} ${quote(it.text)}${trailing(it.comment)}`;
    case 'pte':
      return `pte ${it.name} = ${printValue(it.value)}${trailing(it.comment)}`;
    case 'loc':
      return `loc ${it.name}: u${it.width} = ${it.value.raw}${trailing(it.comment)}`;
    case 'pmd':
      return `pmd ${it.name} = ${it.value.raw}${trailing(it.comment)}`;
    case 'page':
      return `page ${it.pfn.raw} ref ${it.ref.raw}${it.table !== undefined ? ` table ${it.table}` : ''}${trailing(it.comment)}`;
    case 'folio':
      return `folio ${it.name}${it.fields.map((f) => ` ${f.key}=${f.value.raw}`).join('')}${trailing(it.comment)}`;
    case 'reader':
      return (
        `reader ${it.name}` +
        (it.contract !== undefined ? ` contract ${it.contract}` : '') +
        (it.expect !== undefined
          ? ` expect ${it.expect.map((c) => (c.model === undefined ? c.verdict : `${c.verdict} under ${c.model.name}`)).join(', ')}`
          : '') +
        trailing(it.comment)
      );
    case 'expect':
      return `expect ${it.model} ${it.observation}${trailing(it.comment)}`;
    case 'cond':
      return `${it.quantifier} (${printCond(it.cond)})${trailing(it.comment)}`;
    case 'cpu': {
      const head = `cpu ${it.name}${it.label !== undefined ? ` ${quote(it.label)}` : ''} {${trailing(it.comment)}`;
      return [head, ...it.body.map((s) => printStmt(s)), '}'].join('\n');
    }
  }
}

function printStmt(s: Stmt): string {
  switch (s.kind) {
    case 'blank':
      return '';
    case 'comment':
      return s.text === '' ? '  #' : `  # ${s.text}`;
    case 'call':
      return `  ${s.reg !== undefined ? `${s.reg} = ` : ''}${s.name}(${s.args.map(printArg).join(', ')})${trailing(s.comment)}`;
  }
}

function printArg(a: Arg): string {
  return (a.key !== undefined ? `${a.key}=` : '') + printValue(a.value);
}

export function printValue(v: Value): string {
  switch (v.kind) {
    case 'num':
      return v.raw;
    case 'pair':
      return `{${v.high.raw}:${v.low.raw}}`;
    case 'name':
      return v.name;
    case 'index':
      return `${v.name}[${v.index.raw}]`;
    case 'list': {
      // four entries per line, continuation lines indented by two spaces
      const rows: string[] = [];
      for (let i = 0; i < v.items.length; i += 4)
        rows.push(
          v.items
            .slice(i, i + 4)
            .map(printValue)
            .join(', '),
        );
      return `[${rows.join(',\n  ')}]`;
    }
  }
}
