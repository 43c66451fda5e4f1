/** The registry type every extensible part uses: register, get, list, has, and its errors. */
import { createRegistry, DepthblocksError, depthToTarget, parseWithSchema, z } from '../src';

type Factory = (o?: { size?: number }) => { size: number };

test('register, get, has, list and names keep registration order', () => {
  const r = createRegistry<Factory, { description: string }>('widget');
  const round: Factory = (o) => ({ size: o?.size ?? 1 });
  const square: Factory = () => ({ size: 2 });
  r.register('round', round, { description: 'round' });
  r.register('square', square, { description: 'square' });
  expect(r.get('round').factory({ size: 3 })).toEqual({ size: 3 });
  expect(r.get('square').spec.description).toBe('square');
  expect(r.has('round')).toBe(true);
  expect(r.has('oval')).toBe(false);
  expect(r.names()).toEqual(['round', 'square']);
  expect(r.list().map((e) => e.name)).toEqual(['round', 'square']);
});

test('an unknown name is NOT_FOUND with the registered names and the nearest one', () => {
  const r = createRegistry<Factory, object>('encoder');
  for (const n of ['resnet18', 'resnet34', 'densenet169']) r.register(n, () => ({ size: 1 }), {});
  let err: unknown;
  try {
    r.get('resnet43');
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(DepthblocksError);
  expect((err as DepthblocksError).code).toBe('NOT_FOUND');
  expect((err as DepthblocksError).message).toBe(
    'Unknown encoder "resnet43" (did you mean "resnet34"?); registered encoders: resnet18, resnet34, densenet169',
  );
  expect(() => r.get('vgg16')).toThrow(/^Unknown encoder "vgg16"; registered encoders: resnet18/);
});

test('the same factory twice is a no-op; another factory under a taken name needs replace', () => {
  const r = createRegistry<Factory, { v: number }>('decoder');
  const f: Factory = () => ({ size: 1 });
  const g: Factory = () => ({ size: 2 });
  r.register('unet', f, { v: 1 });
  r.register('unet', f, { v: 1 });
  expect(r.names()).toEqual(['unet']);
  expect(() => r.register('unet', g, { v: 2 })).toThrow(/decoder named "unet" is already registered.*replace: true/);
  r.register('unet', g, { v: 2 }, { replace: true });
  expect(r.get('unet').factory().size).toBe(2);
});

test('bad names and factories are clear errors', () => {
  const r = createRegistry<Factory, object>('preset');
  expect(() => r.register('', () => ({ size: 1 }), {})).toThrow(/preset name must be letters/);
  expect(() => r.register('a b', () => ({ size: 1 }), {})).toThrow(/got "a b"/);
  expect(() => r.register('ok', 3 as unknown as Factory, {})).toThrow(/factory must be a function, got number/);
});

test("README 'Registries, config schemas, depth normalisation' example", () => {
  const widgets = createRegistry<(o?: { size?: number }) => { size: number }, { description: string }>('widget');
  widgets.register('round', (o = {}) => ({ size: o.size ?? 1 }), { description: 'a round widget' });
  expect(() => widgets.get('rond')).toThrow('Unknown widget "rond" (did you mean "round"?); registered widgets: round');

  const options = z.strictObject({ lr: z.number().positive().optional(), epochs: z.number().int().optional() });
  expect(() => parseWithSchema(options, { lr: '1e-4' }, 'Run')).toThrow('Run: lr: expected number, got string "1e-4"');
  expect(() => parseWithSchema(options, { epoch: 3 }, 'Run')).toThrow('Run: unknown key "epoch" (did you mean "epochs"?)');

  expect(Array.from(depthToTarget(Float32Array.of(1, 0.05, 20, 0), { kind: 'densedepth', minDepth: 0.1, maxDepth: 10 }))).toEqual([
    10, 100, 1, 0,
  ]);
});
