import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

/**
 * The arrows of docs/ARCHITECTURE.md, enforced: app → {lessons, explorer, playground} →
 * components → {engine, roofline}; cli → {engine, roofline}. Feature areas never import each
 * other; engine and roofline never import React or the UI; engine imports roofline's types through
 * its index, and roofline (the cost model) imports nothing of the project. Outside its
 * own folder, engine/ and roofline/ are reached through their index only (engine/io/node is the
 * Node-only entry for the CLI).
 */
const react = ['react', 'react-dom', 'react-dom/*', 'react-router-dom', 'react-router'];
const areas = [
  'app',
  'lessons',
  'explorer',
  'playground',
  'components',
  'cli',
  'engine',
  'roofline',
];
// A path into `name`/ other than its index (and, for the CLI, the Node-only engine/io/node).
const internals = (name, allowed = []) =>
  `(^|/)${name}/(?!(${['index', ...allowed].join('|')})$).+`;
const allowed = {
  app: ['lessons', 'explorer', 'playground', 'components', 'engine', 'roofline'],
  lessons: ['components', 'engine', 'roofline'],
  explorer: ['components', 'engine', 'roofline'],
  playground: ['components', 'engine', 'roofline'],
  components: ['engine', 'roofline'],
  cli: ['engine', 'roofline'],
  engine: ['roofline'],
  roofline: [],
};
const boundaries = areas.map((area) => {
  const forbiddenAreas = areas.filter((a) => a !== area && !allowed[area].includes(a));
  const publicOnly = ['engine', 'roofline'].filter((a) => a !== area && allowed[area].includes(a));
  const patterns = [
    {
      group: forbiddenAreas.flatMap((a) => [`**/${a}`, `**/${a}/**`]),
      message: allowed[area].length
        ? `${area}/ may import only ${allowed[area].join(', ')} (docs/ARCHITECTURE.md).`
        : `${area}/ imports no other area (docs/ARCHITECTURE.md).`,
    },
    ...publicOnly.map((a) => ({
      regex: a === 'engine' && area === 'cli' ? internals(a, ['io/node']) : internals(a),
      message: `Import ${a}/ through its index (its public API), not its internals.`,
    })),
  ];
  if (['engine', 'roofline', 'cli'].includes(area)) {
    patterns.push({ group: react, message: `${area}/ never imports React.` });
  }
  return {
    files: [`${area}/**/*.{ts,tsx}`],
    rules: { 'no-restricted-imports': ['error', { patterns }] },
  };
});

export default tseslint.config(
  {
    ignores: [
      'dist',
      'node_modules',
      'coverage',
      'public/models',
      'bench/results',
      // AssemblyScript (its own tsconfig and types), built by scripts/build-wasm.ts.
      'engine/cpu/wasm/assembly',
    ],
  },
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
    // No `any` in the engine and the cost model.
    files: ['engine/**/*.ts', 'roofline/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'error' },
  },
  ...boundaries,
  prettier,
);
