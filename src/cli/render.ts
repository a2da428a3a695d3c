import type { Run, Target, Finding } from '../campaign';
import { renderVerdictReport } from '../report';

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
  const head = `${t.scenario.name}: ${t.scenario.title}\nmodel ${t.model}; source: ${t.scenario.source}`;
  return [head, '', renderVerdictReport(input)].join('\n');
}

export function findingReport(f: Finding): string {
  return runReport(f.target, { exec: f.exec, judgement: f.judgement });
}
