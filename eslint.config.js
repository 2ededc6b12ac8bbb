import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'coverage', 'public/models', 'bench/results'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // DESIGN.md: no `any` in engine/ and roofline/, and they never import React.
    files: ['engine/**/*.ts', 'roofline/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            'react',
            'react-dom',
            'react-*',
            '../components/*',
            '../app/*',
            '../lessons/*',
          ],
        },
      ],
    },
  },
  {
    // Outside roofline/, the cost model is reached through roofline/index.ts only.
    files: ['**/*.{ts,tsx}'],
    ignores: ['roofline/**', 'engine/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/roofline/*', '!**/roofline/index'],
              message: "import from roofline/index.ts ('../roofline'), not from a file inside",
            },
          ],
        },
      ],
    },
  },
  prettier,
);
