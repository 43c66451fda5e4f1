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
  moduleNameMapper: {
    // packages with Node-only features: their src/node.ts (what Node's `node` export condition picks)
    '^@depthblocks/(core|backend)$': '<rootDir>/packages/$1/src/node.ts',
    '^@depthblocks/([a-z-]+)$': '<rootDir>/packages/$1/src/index.ts',
  },
  testTimeout: 120000,
  maxWorkers: 2,
  reporters: ['default', path.join(__dirname, 'scripts/summary-reporter.js')],
  setupFiles: [path.join(__dirname, 'jest.setup.js')],
};
