// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** Globals that would tie the pure core to a browser or to real time (it uses ports instead). */
const coreForbiddenGlobals = [
  'window', 'document', 'navigator', 'location', 'indexedDB', 'localStorage', 'sessionStorage',
  'Worker', 'SharedWorker', 'RTCPeerConnection', 'WebSocket', 'fetch', 'XMLHttpRequest',
  'setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'requestAnimationFrame', 'performance', 'process',
].map((name) => ({ name, message: 'src/core is pure: reach the outside world through a port (src/core/ports/).' }));

export default tseslint.config(
  { ignores: ['dist/', 'dist-*/', 'dev-dist/', 'node_modules/', 'test-results/', 'test-results-*/', 'playwright-report/', '**/*.svelte'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    ignores: ['src/core/**/*.test.ts'],
    rules: {
      'no-restricted-globals': ['error', ...coreForbiddenGlobals],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'Time comes through the Clock port.' }],
      'no-restricted-imports': ['error', {
        patterns: [
          { regex: '^(?!\\.|@noble/|@scure/|siphash$)', message: 'src/core imports only core, @noble/*, @scure/* and siphash (compact block short ids).' },
          { regex: '^\\.\\./\\.\\./', message: 'src/core imports only from inside src/core.' },
        ],
      }],
    },
  },
);
