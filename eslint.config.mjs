import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// `npm run lint:eslint` caches each file's result keyed by its content (--cache): right while every rule reads one
// file at a time. A rule set with type information (recommendedTypeChecked, parserOptions.project) makes a file's
// result depend on other files: drop --cache from package.json then.
export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'corpus/generated/', 'bench-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      // Nothing may be random but seedrandom, and the clock is read only by the CLI.
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'use engines/rng (seedrandom): determinism is a law' },
        // Output must not depend on LANG/LC_ALL/TZ: same campaign, same bytes, on any machine.
        { property: 'localeCompare', message: 'locale-dependent order (LANG/LC_ALL): compare with < and >' },
        { property: 'toLocaleString', message: 'locale-dependent formatting (LANG/LC_ALL): format explicitly' },
        { property: 'toLocaleDateString', message: 'locale- and TZ-dependent: no wall-clock text in output' },
        { property: 'toLocaleTimeString', message: 'locale- and TZ-dependent: no wall-clock text in output' },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'Intl', message: 'locale-dependent (LANG/LC_ALL): format explicitly' },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**', 'src/bench/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'use engines/rng (seedrandom): determinism is a law' },
        { object: 'Date', property: 'now', message: 'only the CLI reads the clock; inject it' },
        // Output must not depend on LANG/LC_ALL/TZ: same campaign, same bytes, on any machine.
        { property: 'localeCompare', message: 'locale-dependent order (LANG/LC_ALL): compare with < and >' },
        { property: 'toLocaleString', message: 'locale-dependent formatting (LANG/LC_ALL): format explicitly' },
        { property: 'toLocaleDateString', message: 'locale- and TZ-dependent: no wall-clock text in output' },
        { property: 'toLocaleTimeString', message: 'locale- and TZ-dependent: no wall-clock text in output' },
      ],
    },
  },
  {
    files: ['bin/**/*.js', 'harness/**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        __dirname: 'readonly',
        Buffer: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
