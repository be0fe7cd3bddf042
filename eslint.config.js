import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import floors from './eslint.floors.js';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'bench/results/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // hcl2json's types pull in the DOM lib; make DOM globals a lint error in our code.
      'no-restricted-globals': ['error', 'document', 'window', 'navigator', 'location'],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', 'bin/*'],
    languageOptions: { globals: globals.node },
  },
  floors,
);
