import { it } from 'vitest';
import { execute, TraceSource } from '../../src/machine';
import { builtinReaders, x86Pae } from '../../src/kernel';
import { builtinScenario } from '../../src/scenario';
import { judge, contractByName } from '../../src/compare';

it('scratch', () => {
  const sc = builtinScenario('s1-pae-double-refault')!;
  const reader = builtinReaders().get('ptep_get_lockless')!;
  const built = sc.build(reader, x86Pae);
  let seed = 1;
  const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed; };
  for (let i = 0; i < 200000; i++) {
    const trace = Array.from({ length: 60 }, () => (rnd() >> 16) % 4);
    const exec = execute({ locations: built.locations, cpus: built.cpus }, 'sc', new TraceSource(trace));
    const j = judge(exec, reader.name, built.subject, contractByName('non-torn')!, x86Pae);
    if (j.verdict.kind === 'divergence') {
      console.log(i, JSON.stringify(exec.trace), j.verdict.class, exec.events.length);
      break;
    }
  }
});
