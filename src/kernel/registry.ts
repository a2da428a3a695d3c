import type { Arch, ArchName, Pte } from './arch';
import { PAE_READERS } from './readers/x86-pae';
import type { ReaderDef } from './readers/reader';
import { x86Pae } from './x86-pae';
import { arm64 } from './arm64';
import { arm64ExtSw } from './arm64-ext-sw';
import { ARM64_READERS } from './readers/arm64';

export const ARCHES: Readonly<Record<ArchName, Arch | undefined>> = {
  'x86-pae': x86Pae,
  arm64,
  'arm64-ext-sw': arm64ExtSw,
};

/**
 * The reader registry: built-in readers plus those registered at run time
 * (user reader modules). Names are unique across architectures.
 */
export class ReaderRegistry {
  private readonly byName = new Map<string, ReaderDef>();

  constructor(readers: readonly ReaderDef[] = []) {
    for (const r of readers) this.register(r);
  }

  register(r: ReaderDef): void {
    if (this.byName.has(r.name)) throw new Error(`reader ${r.name} is already registered`);
    this.byName.set(r.name, r);
  }

  get(name: string): ReaderDef | undefined {
    return this.byName.get(name);
  }

  all(): ReaderDef[] {
    return [...this.byName.values()];
  }

  names(): string[] {
    return [...this.byName.keys()];
  }
}

/** A fresh registry holding the built-in readers. */
export function builtinReaders(): ReaderRegistry {
  return new ReaderRegistry([
    ...(PAE_READERS as readonly ReaderDef<Pte>[] as readonly ReaderDef[]),
    ...(ARM64_READERS as readonly ReaderDef<Pte>[] as readonly ReaderDef[]),
  ]);
}
