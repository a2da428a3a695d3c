import { describe, expect, test } from 'vitest';
import type { ChoiceSource, Execution, ModelKind } from '../../src/machine';
import { execute } from '../../src/machine';
import { ARCHES, builtinReaders } from '../../src/kernel';
import type { Judgement } from '../../src/compare';
import { contractByName } from '../../src/compare';
import { OutsideReferenceContract, judgeTarget, makeTarget, specOf } from '../../src/campaign';
import { createEngine, deriveSeed, enumerate } from '../../src/engines';
import { REFUSED, lawMaterial } from '../support/law-material';

/**
 * Law (DESIGN §6): a reader that reads its pte in one single-copy-atomic load returns a value memory held while
 * it ran — under sc the value at its load, under tso/weak one its CPU could still observe — so, whatever the
 * writers do, the reference must accept every invocation of it. A rejected one is a hole in the reference: a
 * writer's specification that skips a state memory passes through (ptep_set_access_flags' unfold repaint was a
 * false `phantom`: test/fixtures/wp-reuse-unfold.scn), a commit order memory does not have.
 * The readers: arm64 `__ptep_get` (one READ_ONCE of a 64-bit descriptor; contract ad-relaxed, as it does not
 * gather the block's access/dirty) and x86-PAE `ptep_get_atomic64` (cmpxchg8b). Every built-in scenario, every
 * `corpus/mailing-list` and `test/fixtures` scenario of those architectures, the reader substituted for the
 * scenario's readers (also the reader the consumers call), each model, 50 random schedules and the first 60
 * schedules of at most one preemption (depth first, as `explore --bound 1` visits them). Consumer verdicts
 * (lost-dirty, use-after-free, livelock) are about the consumer, not the read: only the reader's invocations are
 * checked, and an invocation that read from a page-table page after it was freed (a walker still on a table
 * khugepaged collapsed, S12: it read a page that is no longer the pte's) is left out. An execution the reference refuses (outside its contract: unserialised writers, no break-before-make, a misprogrammed contpte block)
 * is no verdict; the scenarios made to be refused must be refused on some schedule, the others never.
 */
const SINGLE_LOAD: Readonly<Record<string, string>> = { arm64: '__ptep_get', 'x86-pae': 'ptep_get_atomic64' };
const MODELS: readonly ModelKind[] = ['sc', 'tso', 'weak'];
const RUNS = 50;
const ENUMERATED = 60;
describe('law: a single-load reader is never judged wrong', () => {
  const scenarios = lawMaterial((arch) => SINGLE_LOAD[arch] !== undefined);

  test('the material covers both architectures and the scenarios made to be refused', () => {
    expect(scenarios.filter((s) => s.arch === 'arm64').length).toBeGreaterThan(20);
    // and arm64 scenarios of a lone pte (judged by exact)
    expect(scenarios.filter((s) => s.arch === 'arm64' && !/^pte \w+ = \[/m.test(s.text ?? '')).length).toBeGreaterThan(
      3,
    );
    expect(scenarios.filter((s) => s.arch === 'x86-pae').length).toBeGreaterThan(15);
    for (const name of REFUSED) expect(scenarios.map((s) => s.name)).toContain(name);
  });

  for (const s of scenarios) {
    test(`${s.name} (${s.arch}): ${RUNS} random + ${ENUMERATED} enumerated schedules per model, every invocation accepted`, () => {
      const reader = builtinReaders().get(SINGLE_LOAD[s.arch]!)!;
      let judged = 0;
      let refused = 0;
      let freed = 0;
      for (const model of MODELS) {
        // a lone arm64 pte is judged by `exact`, access/dirty included: the reference's value is the raw descriptor the
        // load returns (a contpte block's view ORs its siblings' access/dirty bits into the entry, which one load does
        // not see; x86 PAE's non-torn accepts any non-present value, the halves of a clear in flight among them)
        const declared = makeTarget(s, reader, contractByName(reader.contract)!, model, ARCHES[s.arch]!);
        const exact = s.arch === 'arm64' && declared.built.subject.entries?.block === undefined;
        const t = exact ? makeTarget(s, reader, contractByName('exact')!, model, ARCHES[s.arch]!) : declared;
        const engine = createEngine('random', { cpus: t.built.cpus.length });
        const spec = specOf(t.built);
        const check = (source: ChoiceSource, what: string): Execution => {
          const exec = execute(spec, model, source);
          let judgement: Judgement;
          try {
            judgement = judgeTarget(t, exec);
          } catch (e) {
            if (!(e instanceof OutsideReferenceContract)) throw e;
            refused++;
            return exec;
          }
          for (const j of judgement.judged) {
            // a load from a page-table page that had been freed (S12: a walker still on the table khugepaged
            // collapsed): what it read is no longer the pte
            if (exec.events.some((ev) => ev.op === j.op.id && ev.read !== undefined && (ev.mem?.gen ?? 0) > 0)) {
              freed++;
              continue;
            }
            judged++;
            if (!j.accepted) {
              const allowed = j.window.allowed.map((v) => ARCHES[s.arch]!.format(v)).join(', ');
              expect.fail(
                `${s.name} under ${model}, ${what} (trace ${JSON.stringify(exec.trace)}): ${reader.name} on ` +
                  `CPU ${j.op.cpu} (steps ${j.op.start}..${j.op.end}) was judged wrong; allowed ${allowed}`,
              );
            }
          }
          return exec;
        };
        for (let i = 0; i < RUNS; i++)
          check(engine.source(deriveSeed('single-load', s.name, model, i)), `schedule ${i}`);
        // and the first schedules of at most one preemption, depth first (explore --bound 1): the narrow windows
        enumerate(
          (source) => check(source, 'an enumerated schedule'),
          () => undefined,
          // allDrains: every drain placement counts as an execution, so the cap bounds the work under tso too
          { preemptionBound: 1, maxExecutions: ENUMERATED, allDrains: true },
        );
      }
      if (REFUSED.has(s.name)) {
        expect(refused).toBeGreaterThan(0);
      } else {
        expect(refused).toBe(0);
        expect(judged).toBeGreaterThan(0);
      }
      // only the scenarios that free page-table pages read freed ones
      if (!/khugepaged/.test(s.name)) expect(freed).toBe(0);
    });
  }
});
