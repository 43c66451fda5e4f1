/**
 * Jest environment for tests that run ONNX Runtime (onnxruntime-node): Node's own typed-array classes inside the
 * test sandbox. onnxruntime-node's native binding returns typed arrays of Node's realm, and onnxruntime-common
 * (loaded in the sandbox) checks them with `instanceof Float32Array` against the sandbox's classes, which fails
 * under jest's default environment ("A float32 tensor's data must be type of function Float32Array()").
 * Plain Node (users, the CLI) has one realm and needs nothing. Use it with a docblock:
 *   /** @jest-environment ./scripts/jest-environment-onnx.js *\/
 *
 * Without onnxruntime-node (a root devDependency, so `npm install` brings it), a test file in this environment
 * cannot run: under CI (CI=true or 1) the file fails with one error saying how to install it; elsewhere its tests
 * are skipped with a loud banner. DEPTHBLOCKS_TEST_ORT_MODULE names another module to look for (to check this).
 */
const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'ArrayBuffer',
  'SharedArrayBuffer',
  'DataView',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
];

const ORT = process.env.DEPTHBLOCKS_TEST_ORT_MODULE || 'onnxruntime-node';
const CI = /^(1|true)$/i.test(process.env.CI || '');

/** Whether `name` resolves from `dir`. */
function resolves(name, dir) {
  try {
    require.resolve(name, { paths: [dir] });
    return true;
  } catch {
    return false;
  }
}

/** The tests under a describe block, in order. */
function testsOf(block) {
  return block.children.flatMap((child) => (child.type === 'describeBlock' ? testsOf(child) : [child]));
}

class OnnxTestEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) if (globalThis[name]) this.global[name] = globalThis[name];
    this.ortPresent = resolves(ORT, config.projectConfig.rootDir);
    this.testPath = context.testPath;
  }

  handleTestEvent(event, state) {
    if (event.name !== 'run_start' || this.ortPresent) return;
    const message =
      `${ORT} is not installed, so the ONNX Runtime tests of ${this.testPath} cannot run. ` +
      'It is a root devDependency: run npm install --no-audit --no-fund (its install script must not run: ' +
      'the root package.json denies it; else set ONNXRUNTIME_NODE_INSTALL=skip).';
    const tests = testsOf(state.rootDescribeBlock);
    for (const t of tests) t.mode = 'skip';
    if (CI && tests.length) {
      // one failing test that says what is missing (instead of every test failing on its first ORT call)
      tests[0].mode = undefined;
      tests[0].fn = () => {
        throw new Error(`${message} (CI is set: a failure, not a skip)`);
      };
    } else console.warn(`\n\n*** SKIPPED: ${message} ***\n\n`);
  }
}

module.exports = OnnxTestEnvironment;
