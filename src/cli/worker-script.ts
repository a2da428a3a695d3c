import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The compiled script of a worker thread beside this module: `dist/cli/NAME.js`.
 * When ptefuzz runs from its TypeScript sources (the test runner imports
 * src/cli/main.ts), there is no `src/cli/NAME.js`; the build in dist/ is used.
 */
export function workerScript(name: string): string {
  const here = join(__dirname, `${name}.js`);
  if (existsSync(here)) return here;
  const built = join(__dirname, '..', '..', 'dist', 'cli', `${name}.js`);
  if (existsSync(built)) return built;
  throw new Error(`[ptefuzz internal bug] no ${name}.js beside ${__dirname} nor in dist/cli/ (run \`npm run build\`)`);
}
