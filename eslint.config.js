// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import boundaries from './tools/eslint/boundaries.js';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'libs/contracts/src/gen/**',
      '.infra/**',
      'coverage/**',
      'loadtest/results/**',
      'deploy/rendered/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'tools/eslint/*.js', 'loadtest/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { local: boundaries },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      // Handlers are async by contract (fastify routes, Kafka handlers) even when they do not await.
      '@typescript-eslint/require-await': 'off',
      'no-console': 'error',
      // Domain code may use the shared Result/CodedError vocabulary and nothing else.
      'local/boundaries': ['error', { allowPackages: ['@mealpeak/core'] }],
    },
  },
  {
    // Domain code is deterministic: the clock and randomness are passed in.
    files: ['services/*/src/domain/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Pass the time in (domain code has no clock).' },
        { object: 'Math', property: 'random', message: 'Pass randomness in (domain code is deterministic).' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'Pass the time in (domain code has no clock).',
        },
      ],
    },
  },
  {
    // Scripts, tests and benchmarks print to the console by design.
    files: ['scripts/**', '**/*.test.ts', '**/test/**', '**/bench/**', 'loadtest/**', 'tools/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // Tests read JSON responses loosely; the any-safety rules would only add casts there.
    files: ['**/*.test.ts', '**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
