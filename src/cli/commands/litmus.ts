import type { ModelKind } from '../../machine';
import { ScenarioError, parseLitmus } from '../../scenario';
import { UsageError, resolveModel } from '../../campaign';
import { EXIT_OK, EXIT_USAGE } from '../errors';
import { herdBlock, rawHerdTest } from '../herd';
import { readText } from '../scenario-files';

export interface LitmusOptions {
  model?: string[];
  bound?: number;
  maxExecutions: number;
}

/**
 * `ptefuzz litmus FILE.litmus…`: read herd7 C litmus tests (the subset of
 * src/scenario/litmus/parse-litmus.ts), enumerate every execution under each
 * model (default weak) and print herd7's answer. Exit 0 (herd-like: the
 * Observation is the answer), 2 when a file cannot be read or parsed.
 */
export function litmusCommand(files: readonly string[], o: LitmusOptions): number {
  const models: ModelKind[] = o.model?.map(resolveModel) ?? ['weak'];
  let bad = 0;
  const blocks: string[] = [];
  for (const file of files) {
    try {
      const test = parseLitmus(readText(file), file);
      for (const m of models) {
        const opts = { ...(o.bound !== undefined ? { preemptionBound: o.bound } : {}), maxExecutions: o.maxExecutions };
        blocks.push(herdBlock(rawHerdTest(test), m, opts).text);
      }
    } catch (e) {
      if (!(e instanceof ScenarioError || e instanceof UsageError)) throw e;
      bad++;
      process.stderr.write(`ptefuzz: ${e.message}\n`);
    }
  }
  if (blocks.length > 0) process.stdout.write(blocks.join('\n\n') + '\n');
  return bad > 0 ? EXIT_USAGE : EXIT_OK;
}
