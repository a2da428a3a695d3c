import { KERNEL_VOCABULARY, MODEL_KINDS } from '../../machine';
import type { ReaderRegistry } from '../../kernel';
import { builtinOperations, opArches, signature } from '../../kernel';
import { CONTRACTS } from '../../compare';
import { builtinScenarios, expectText } from '../../scenario';
import { ENGINES } from '../../campaign';

export function catalogue(registry: ReaderRegistry) {
  return {
    scenarios: builtinScenarios().map((s) => ({
      name: s.name,
      title: s.title,
      arch: s.arch,
      model: s.model,
      readers: [...s.readers],
      // per reader, as the `expect` line writes it ("bug", "correct under tso, bug under weak") …
      expect: Object.fromEntries(Object.entries(s.expect).map(([r, clauses]) => [r, expectText(clauses)])),
      // … and clause by clause
      expectClauses: Object.fromEntries(
        Object.entries(s.expect).map(([r, clauses]) => [r, clauses.map((c) => ({ ...c }))]),
      ),
      source: s.source,
      claim: s.claim,
      ...(s.consumer === undefined ? {} : { consumer: s.consumer }),
      ...(s.settings === undefined ? {} : { settings: { ...s.settings } }),
    })),
    readers: registry.all().map((r) => ({
      name: r.name,
      arch: r.arch,
      contract: r.contract,
      summary: r.summary,
      source: r.source,
      ...(r.module ? { module: { ...r.module } } : {}),
    })),
    operations: builtinOperations()
      .all()
      .map((o) => ({
        name: o.name,
        arch: opArches(o).join('|'),
        signature: signature(o),
        summary: o.summary,
        source: o.source,
      })),
    contracts: CONTRACTS.map((c) => ({ name: c.name, summary: c.summary, source: c.source })),
    models: [...MODEL_KINDS],
    engines: ENGINES.map((e) => ({ name: e.name, summary: e.summary })),
    instructions: [...KERNEL_VOCABULARY],
  };
}

export function listCommand(registry: ReaderRegistry, json: boolean): number {
  const c = catalogue(registry);
  if (json) {
    process.stdout.write(JSON.stringify(c, null, 2) + '\n');
    return 0;
  }
  const out: string[] = [];
  out.push('Scenarios:');
  for (const s of c.scenarios) {
    out.push(`  ${s.name}  [${s.arch}, ${s.model}]  ${s.title}`);
    out.push(`      readers: ${s.readers.map((r) => `${r} (${s.expect[r] ?? '?'})`).join(', ')}`);
    if (s.consumer !== undefined)
      out.push(`      consumer: ${s.consumer} (the reader under test is its lockless read)`);
    if (s.settings !== undefined) {
      out.push(
        `      settings: ${Object.entries(s.settings)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}`,
      );
    }
    if (s.source !== '') out.push(`      source: ${s.source}`);
  }
  out.push('Readers:');
  for (const r of c.readers) {
    const from = 'module' in r && r.module ? `  (reader module ${r.module.path})` : '';
    out.push(`  ${r.name}  [${r.arch}, contract ${r.contract}]${from}  ${r.summary}\n      ${r.source}`);
  }
  out.push('Operations (scenario files):');
  for (const o of c.operations) out.push(`  ${o.signature}  [${o.arch}]  ${o.summary}\n      ${o.source}`);
  out.push('Contracts:');
  for (const k of c.contracts) out.push(`  ${k.name}  ${k.summary}\n      ${k.source}`);
  out.push(`Memory models: ${c.models.join(', ')}`);
  out.push('Engines:');
  for (const e of c.engines) out.push(`  ${e.name}  ${e.summary}`);
  out.push(`Instructions: ${c.instructions.join(' ')}`);
  process.stdout.write(out.join('\n') + '\n');
  return 0;
}
