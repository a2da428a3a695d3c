import type { Run, Target, Finding } from '../campaign';
import { renderVerdictReport } from '../report';
import type { Reduction } from '../scenario';

/** Diagram + reference history + observed vs allowed, for one execution of a target. */
export function runReport(t: Target, run: Run): string {
  const input = {
    exec: run.exec,
    built: t.built,
    arch: t.arch,
    judgement: run.judgement,
    readerName: t.reader.name,
    contract: t.contract.name,
  };
  const r = t.scenario.reduced;
  const head =
    `${t.scenario.name}: ${t.scenario.title}\nmodel ${t.model}; source: ${t.scenario.source}` +
    (r === undefined ? '' : `\n${reducedLine(t.scenario.name, r)}`);
  return [head, '', renderVerdictReport(input)].join('\n');
}

export function findingReport(f: Finding): string {
  return runReport(f.target, { exec: f.exec, judgement: f.judgement });
}

/** One line saying a scenario was reduced by the minimizer, and what it dropped. */
export function reducedLine(name: string, r: Reduction): string {
  return `reduced by the minimizer from ${r.source === 'builtin' ? 'built-in' : 'scenario file'} ${name}: dropped ${r.dropped.join('; ')}`;
}
