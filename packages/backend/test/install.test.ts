/**
 * install() / uninstall(): what is recorded is exactly what changed in tfjs (compared with a snapshot of tfjs'
 * registries and patched methods), each patch can be installed and removed on its own, install is idempotent,
 * uninstall restores tfjs exactly, and the version guard refuses untested tfjs versions unless overridden.
 * Jest gives each test file fresh modules, so nothing is installed before this file installs it.
 */
import { DepthblocksError } from '@depthblocks/core';
import { diffTfjs, snapshotTfjs, type TfjsSnapshot } from '../../core/test/tfjs-snapshot';
import {
  ALLOW_UNTESTED_TFJS_ENV,
  PATCH_NAMES,
  install,
  installedPatches,
  setupBackend,
  skippedPatches,
  uninstall,
  type PatchChange,
  type PatchName,
} from '../src/node';
import { tfjsWasm } from '../src/tfjs-wasm';

const tf: typeof import('@tensorflow/tfjs') = require('@tensorflow/tfjs');
require('@tensorflow/tfjs-backend-wasm'); // loading it registers its kernels: that is not ours to undo

/** The snapshot line each recorded change must produce. */
function expectedLine(c: PatchChange): string {
  if (c.kind === 'kernel') return `${c.replaced ? 'changed' : 'added'} kernel ${c.backend}_${c.target}`;
  if (c.kind === 'gradient') return `${c.replaced ? 'changed' : 'added'} gradient ${c.target}`;
  const methods: Record<string, string> = {
    'Engine.gradients': 'added engine.gradients', // an own property shadowing Engine.prototype.gradients
    'tf.fused.conv2d': 'changed tf.fused.conv2d',
    'tf.fused.depthwiseConv2d': 'changed tf.fused.depthwiseConv2d',
    'tfjs-layers BatchNormalization.call': 'changed class BatchNormalization.prototype.call',
  };
  return methods[c.target] ?? `unknown method ${c.target}`;
}

const only = (name: PatchName): Partial<Record<PatchName, boolean>> =>
  Object.fromEntries(PATCH_NAMES.map((n) => [n, n === name])) as Partial<Record<PatchName, boolean>>;

let pristine: TfjsSnapshot;
beforeAll(() => {
  pristine = snapshotTfjs(tf);
});
afterEach(() => {
  uninstall();
});

test('install records exactly what changes in tfjs, is idempotent, and uninstall restores tfjs', async () => {
  const returned = await install();
  const changes = installedPatches();
  expect(returned).toEqual(changes);
  expect(new Set(changes.map((c) => c.patch))).toEqual(new Set(PATCH_NAMES)); // every patch changed something
  const after = snapshotTfjs(tf);
  expect(diffTfjs(pristine, after)).toEqual(changes.map(expectedLine).sort());

  await install(); // idempotent
  expect(diffTfjs(after, snapshotTfjs(tf))).toEqual([]);
  expect(installedPatches()).toEqual(changes);

  uninstall();
  expect(installedPatches()).toEqual([]);
  expect(diffTfjs(pristine, snapshotTfjs(tf))).toEqual([]);
});

test('no two patches change the same thing', async () => {
  await install();
  const targets = installedPatches().map((c) => `${c.kind} ${c.backend ?? ''} ${c.target}`);
  expect(new Set(targets).size).toBe(targets.length);
});

test.each(PATCH_NAMES)('patch %s installs and uninstalls on its own', async (name) => {
  await install({ patches: only(name) });
  const changes = installedPatches();
  expect(changes.length).toBeGreaterThan(0);
  expect(changes.every((c) => c.patch === name)).toBe(true);
  expect(diffTfjs(pristine, snapshotTfjs(tf))).toEqual(changes.map(expectedLine).sort());
  uninstall();
  expect(diffTfjs(pristine, snapshotTfjs(tf))).toEqual([]);
});

test('install with a patch turned off removes it if it was installed, and puts it back when asked', async () => {
  await install();
  const all = snapshotTfjs(tf);
  await install({ patches: { frugalGradients: false, fusedConv: false } });
  expect(installedPatches().some((c) => c.patch === 'frugalGradients' || c.patch === 'fusedConv')).toBe(false);
  expect(diffTfjs(all, snapshotTfjs(tf))).toEqual([
    'changed tf.fused.conv2d',
    'changed tf.fused.depthwiseConv2d',
    'removed engine.gradients',
  ]);
  await install(); // both back (as new functions), the rest untouched
  expect(diffTfjs(all, snapshotTfjs(tf))).toEqual([
    'changed engine.gradients',
    'changed tf.fused.conv2d',
    'changed tf.fused.depthwiseConv2d',
  ]);
  expect(new Set(installedPatches().map((c) => c.patch))).toEqual(new Set(PATCH_NAMES));
});

test('fusedConv is skipped, with the reason, where tf.fused is read-only (tfjs as ES modules, as in bundles)', async () => {
  const fused = tf.fused as any;
  const originals = { conv2d: fused.conv2d, depthwiseConv2d: fused.depthwiseConv2d };
  for (const [k, f] of Object.entries(originals)) Object.defineProperty(fused, k, { get: () => f, configurable: true, enumerable: true });
  try {
    const before = snapshotTfjs(tf);
    await install({ patches: only('fusedConv') });
    expect(installedPatches()).toEqual([]);
    expect(skippedPatches()).toEqual([{ patch: 'fusedConv', reason: expect.stringMatching(/read-only ES module namespace/) }]);
    expect(diffTfjs(before, snapshotTfjs(tf))).toEqual([]);
  } finally {
    uninstall();
    for (const [k, f] of Object.entries(originals))
      Object.defineProperty(fused, k, { value: f, writable: true, configurable: true, enumerable: true });
  }
  expect(skippedPatches()).toEqual([]);
  expect(diffTfjs(pristine, snapshotTfjs(tf))).toEqual([]);
});

test('an unknown patch name is a clear error listing the valid ones', async () => {
  const err = await install({ patches: { frugalGradient: false } as never }).catch((e) => e);
  expect(err).toBeInstanceOf(DepthblocksError);
  expect(err.code).toBe('INVALID_ARGUMENT');
  expect(err.message).toMatch(/Unknown patch 'frugalGradient': use wasmKernels, .*frugalGradients/);
});

test('setupBackend reports what is installed, without the patches turned off', async () => {
  const info = await setupBackend({ backend: 'wasm', threads: 1, patches: { frugalGradients: false, simdAdam: false } });
  expect(info.patches).toContain('wasm kernel:Conv2DBackpropFilter');
  expect(info.patches).toContain('gradient:Conv2D');
  expect(info.patches).toContain('method:tf.fused.conv2d');
  expect(info.patches).not.toContain('method:Engine.gradients');
  expect(info.patches).not.toContain('wasm kernel:DepthblocksAdamUpdate');
  const all = await setupBackend({ backend: 'wasm', threads: 1 });
  expect(all.patches).toContain('method:Engine.gradients');
  expect(all.patches).toContain('wasm kernel:DepthblocksAdamUpdate');
});

test("'webgl' and 'webgpu' in Node are clear errors", async () => {
  for (const backend of ['webgl', 'webgpu'] as const) {
    const err = await setupBackend({ backend }).catch((e) => e);
    expect(err).toBeInstanceOf(DepthblocksError);
    expect(err.code).toBe('BACKEND_UNAVAILABLE');
    expect(err.message).toMatch(new RegExp(`Backend '${backend}' is not available in Node.*use 'wasm'`));
  }
});

describe('version guard', () => {
  const core = require('@tensorflow/tfjs-core');
  const layers = require('@tensorflow/tfjs-layers');
  const wasm = tfjsWasm() as { version_wasm: string }; // the module object the backend reads
  const real = { core: core.version_core, layers: layers.version_layers, wasm: wasm.version_wasm };
  afterEach(() => {
    core.version_core = real.core;
    layers.version_layers = real.layers;
    wasm.version_wasm = real.wasm;
    delete process.env[ALLOW_UNTESTED_TFJS_ENV];
  });

  test('the versions are read from the loaded packages (the fake below is seen by tf)', () => {
    core.version_core = '4.99.0';
    expect(tf.version_core).toBe('4.99.0');
  });

  test('an untested tfjs-core is refused, naming both versions and the override', async () => {
    core.version_core = '4.99.0';
    const err = await install().catch((e) => e);
    expect(err).toBeInstanceOf(DepthblocksError);
    expect(err.code).toBe('UNSUPPORTED_TFJS');
    expect(err.message).toMatch(/tested with TensorFlow.js 4\.22\.0 and found @tensorflow\/tfjs-core 4\.99\.0/);
    expect(err.message).toMatch(/allowUntestedTfjs: true/);
    expect(err.message).toMatch(/DEPTHBLOCKS_ALLOW_UNTESTED_TFJS=1/);
    expect(installedPatches()).toEqual([]); // nothing was installed
    await expect(setupBackend({ backend: 'cpu' })).rejects.toMatchObject({ code: 'UNSUPPORTED_TFJS' });
  });

  test('allowUntestedTfjs or the environment variable overrides it', async () => {
    core.version_core = '4.99.0';
    await install({ allowUntestedTfjs: true });
    expect(installedPatches().length).toBeGreaterThan(0);
    uninstall();
    process.env[ALLOW_UNTESTED_TFJS_ENV] = '1';
    await install();
    expect(installedPatches().length).toBeGreaterThan(0);
  });

  test('tfjs-layers and tfjs-backend-wasm are checked only for the patches that rely on them', async () => {
    layers.version_layers = '5.0.0';
    await expect(install()).rejects.toThrow(/found @tensorflow\/tfjs-layers 5\.0\.0/);
    await install({ patches: { layersBatchNorm: false } });
    expect(installedPatches().some((c) => c.patch === 'layersBatchNorm')).toBe(false);
    uninstall();
    layers.version_layers = real.layers;
    wasm.version_wasm = '4.21.0';
    await expect(install()).rejects.toThrow(/found @tensorflow\/tfjs-backend-wasm 4\.21\.0/);
    const wasmFree = {
      wasmKernels: false,
      resizeBilinearGrad: false,
      batchNormKernels: false,
      activationGradients: false,
      simdAdam: false,
    };
    await install({ patches: wasmFree });
    expect(installedPatches().some((c) => c.backend === 'wasm')).toBe(false);
  });
});
