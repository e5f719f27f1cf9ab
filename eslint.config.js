// Lint rules for the TypeScript of apis/, functions/, scripts/ and test/. Type-aware, so a
// floating promise or an `any` leaking out of a generated model is an error. Formatting is
// prettier's (`npm run format`); nothing here argues with it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'out/', 'package/', 'imports/', '.tools/', '.cache/', 'node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'scripts/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
      globals: { process: 'readonly', Buffer: 'readonly', console: 'readonly', fetch: 'readonly', URL: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: 'error',
    },
  },
  // On Node 20 an object literal that begins with a spread and adds after it gets a hidden class of
  // its own per object, which churns the function's old generation (functions/k8tre/lib/records.ts).
  // The contracts are built once, when their module loads, and their order is the XRDs'.
  {
    files: ['functions/**/*.ts'],
    ignores: ['functions/**/contract.ts', 'functions/k8tre/cluster/api.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ObjectExpression[properties.length>1][properties.0.type="SpreadElement"]',
          message:
            'Begin the object with a property, not a spread, or use merged()/definedFields() from lib/records.ts: on Node 20 such a literal gives every object a hidden class of its own.',
        },
      ],
    },
  },
  // vitest's asymmetric matchers (expect.stringMatching, expect.any) are typed `any`.
  { files: ['test/**/*.ts'], rules: { '@typescript-eslint/no-unsafe-assignment': 'off' } },
  // The few plain-JS scripts (they must run before anything compiles) have no types to check.
  { files: ['**/*.mjs', '**/*.js'], ...tseslint.configs.disableTypeChecked },
);
