// Strict lint for HEM: explicit return types on exports, no floating promises, type-only imports,
// the house rule that only functions/adapters/aws imports the AWS SDK, and no focused/skipped tests.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', 'bench/results/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      eqeqeq: ['error', 'smart'],
      'no-console': 'error',
    },
  },
  {
    files: ['functions/**/*.ts'],
    ignores: ['functions/adapters/aws/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@aws-sdk/*'], message: 'Only functions/adapters/aws imports the AWS SDK.' }] }],
    },
  },
  {
    files: ['functions/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@aws-sdk/*', '**/adapters/**', '**/handlers/**', '**/lib/**', '**/local/**'], message: 'domain/ is pure: no adapters, handlers, CDK or runtime imports.' },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'bin/**/*.ts', 'local/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Tests run on Jest: its globals come from @jest/globals, never from node:test or node:assert.
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'node:test', message: 'Tests run on Jest: import describe/it from @jest/globals.' },
            { name: 'node:assert', message: "Use Jest's expect (from @jest/globals)." },
            { name: 'node:assert/strict', message: "Use Jest's expect (from @jest/globals)." },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'it', property: 'only' },
        { object: 'it', property: 'skip' },
        { object: 'describe', property: 'only' },
        { object: 'describe', property: 'skip' },
        { object: 'test', property: 'only' },
        { object: 'test', property: 'skip' },
      ],
    },
  },
);
