import type { CampaignStatus, Finding } from '../campaign';

const rssMb = (): number => Math.round(process.memoryUsage().rss / (1024 * 1024));

/** libFuzzer-style status lines on stderr. */
export function statusLine(s: CampaignStatus, event: 'pulse' | 'new' | 'done', f?: Finding): string {
  const rate = s.seconds > 0 ? Math.round(s.executions / s.seconds) : 0;
  const head = `#${s.executions}\t${event === 'new' ? 'NEW' : event === 'done' ? 'DONE' : 'pulse'}`;
  const tail = `exec/s: ${rate} divergences: ${s.findings} rss: ${rssMb()}MB`;
  if (event === 'new' && f) {
    const t = f.target;
    return `${head}\t${tail}\n\tdivergence: ${f.class} — ${t.reader.name} on ${t.scenario.name} (${t.contract.name}, ${t.model}) -> ${f.file ?? '(not saved)'}`;
  }
  return `${head}\t${tail}`;
}

export { rssMb };
