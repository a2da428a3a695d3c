import { ScenarioError, parseLitmus } from '../../src/scenario';

/** The one-line ScenarioError message the litmus importer gives for `src` (as file `t.litmus`); throws if it parses. */
export function litmusError(src: string): string {
  try {
    parseLitmus(src, 't.litmus');
  } catch (e) {
    if (e instanceof ScenarioError) return e.message;
    throw e;
  }
  throw new Error('parsed');
}
