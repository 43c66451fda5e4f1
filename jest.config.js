/** Root jest config: every package's tests run from source (no build needed), transformed by swc. */
const path = require('path');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/examples', '<rootDir>/test-packages'],
  testMatch: ['**/test/**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)sx?$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        // keep `import()` as a real dynamic import so ESM-only packages (h5wasm) load
        module: { type: 'commonjs', ignoreDynamic: true },
      },
    ],
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  // A package's Node entry (src/node.ts: the portable API plus Node-only functions) when it has one, as the
  // `node` condition of its package.json exports does; else its portable src/index.ts.
  moduleNameMapper: {
    '^@depthblocks/([a-z-]+)$': ['<rootDir>/packages/$1/src/node.ts', '<rootDir>/packages/$1/src/index.ts'],
  },
  testTimeout: 120000,
  maxWorkers: 2,
  reporters: ['default', path.join(__dirname, 'scripts/summary-reporter.js')],
  setupFiles: [path.join(__dirname, 'jest.setup.js')],
};
