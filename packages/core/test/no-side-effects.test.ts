/**
 * Importing @depthblocks/core changes nothing in TensorFlow.js; importing the other packages (not the backend's
 * install) only registers their own layer classes for (de)serialisation. Jest gives each test file fresh modules
 * and a fresh global, so tfjs is loaded here for the first time.
 */
import { diffTfjs, snapshotTfjs } from './tfjs-snapshot';

const tf: typeof import('@tensorflow/tfjs') = require('@tensorflow/tfjs');

test('the snapshot sees the kinds of change the backend makes (so the tests below can fail)', () => {
  const before = snapshotTfjs(tf);
  const proto = (tf.serialization.SerializationMap.getMap().classNameMap as any).BatchNormalization[0].prototype;
  const call = proto.call;
  const engine = tf.engine() as any;
  const fusedConv = tf.fused.conv2d;
  const relu = tf.getGradient('Relu')!;
  proto.call = function () {};
  engine.gradients = () => undefined;
  (tf.fused as any).conv2d = () => undefined;
  const warn = console.warn;
  console.warn = () => undefined;
  tf.registerGradient({ ...relu });
  tf.registerKernel({ kernelName: 'DepthblocksProbe', backendName: 'cpu', kernelFunc: () => ({}) as any });
  try {
    expect(diffTfjs(before, snapshotTfjs(tf))).toEqual([
      'added engine.gradients',
      'added kernel cpu_DepthblocksProbe',
      'changed class BatchNormalization.prototype.call',
      'changed gradient Relu',
      'changed tf.fused.conv2d',
    ]);
  } finally {
    proto.call = call;
    delete engine.gradients;
    (tf.fused as any).conv2d = fusedConv;
    tf.registerGradient(relu);
    console.warn = warn;
    tf.unregisterKernel('DepthblocksProbe', 'cpu');
  }
  expect(diffTfjs(before, snapshotTfjs(tf))).toEqual([]);
});

test('importing @depthblocks/core changes nothing in tfjs', () => {
  const before = snapshotTfjs(tf);
  const core = require('@depthblocks/core');
  expect(core.tf.version_core).toBe(tf.version_core); // one tfjs
  expect(diffTfjs(before, snapshotTfjs(tf))).toEqual([]);
});

test('importing encoders, decoders, losses, metrics, datasets and models only registers their own layer classes', () => {
  const before = snapshotTfjs(tf);
  for (const p of ['encoders', 'decoders', 'losses', 'metrics', 'datasets', 'models']) require(`@depthblocks/${p}`);
  const diff = diffTfjs(before, snapshotTfjs(tf));
  const other = diff.filter((d) => !/^added class [A-Za-z0-9]+(\.prototype\.[A-Za-z0-9_]+)?$/.test(d));
  expect(other).toEqual([]);
  const classes = diff.filter((d) => /^added class [A-Za-z0-9]+$/.test(d)).map((d) => d.slice('added class '.length));
  expect(classes).toEqual(expect.arrayContaining(['FreezableBatchNormalization', 'Resize2D', 'DilatedConv2D']));
});

test('importing @depthblocks/backend changes nothing but loading tfjs-backend-wasm does (install() does)', () => {
  require('@tensorflow/tfjs-backend-wasm'); // the backend package imports it: its own registrations are tfjs'
  const before = snapshotTfjs(tf);
  const backend = require('@depthblocks/backend');
  expect(typeof backend.install).toBe('function');
  expect(diffTfjs(before, snapshotTfjs(tf))).toEqual([]);
});
