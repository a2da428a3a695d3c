import type { Program } from '../../machine';
import type { ArchName, Pte } from '../arch';

/** Names of the contracts a reader may declare (see src/compare/contracts.ts). */
export type ContractName = 'exact' | 'non-torn' | 'ad-relaxed' | 'no-false-dirty' | 'gup-no-false-dirty';

/** The same names as values, for the `.scn` lowerer to check `reader NAME contract C` (kept equal to src/compare's by a test). */
export const CONTRACT_NAMES: readonly ContractName[] = [
  'exact',
  'non-torn',
  'ad-relaxed',
  'no-false-dirty',
  'gup-no-false-dirty',
];

/**
 * A lockless pte reader model. `read` must emit begin({role: 'reader'}) …
 * end(value) around its instructions and return the value it read.
 */
export interface ReaderDef<P extends Pte = Pte> {
  readonly name: string;
  readonly arch: ArchName;
  /** the contract the kernel promises for it; the default of --contract */
  readonly contract: ContractName;
  /** kernel file, function and era */
  readonly source: string;
  readonly summary: string;
  readonly read: (p: P) => Program<bigint>;
  /** set for a reader loaded from a user reader module (`--reader-module`); absent for built-ins */
  readonly module?: ReaderModuleRef;
}

/** Where a user reader came from: recorded in its crash files so that `replay` can ask for it. */
export interface ReaderModuleRef {
  /** the module file as given (relative to the working directory when inside it, else absolute) */
  readonly path: string;
  /** sha256 of the module's source text, hex */
  readonly sha256: string;
}
