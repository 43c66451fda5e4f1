/**
 * The element-wise, merge and shape layers: activations (Activation, ReLU, LeakyReLU, ELU, Softmax, the
 * MobileNetV3 HardSwish / HardSigmoid), the encoders' Preprocess, Concatenate / Add / Multiply / ..., Reshape,
 * Flatten, Dense, ZeroPadding2D, Cropping2D, and the layers that are the identity at inference (Dropout, noise).
 */
import { preprocessConstants, type Preprocessing } from '@depthblocks/encoders';
import { float, int, str } from '../graph';
import { emitActivation, fromTfLayout, onnxAxis, toTfLayout, type ConvertContext, type Value } from '../converter';

const same = (ctx: ConvertContext, name: string): Value => ({ name, shape: ctx.outputShape });

/** Activations whose output is never negative. */
const NON_NEGATIVE = ['relu', 'relu6', 'sigmoid', 'softplus', 'hardSigmoid', 'softmax'];

/** Activation('relu' | 'sigmoid' | ...). */
export function activation(ctx: ConvertContext): Value {
  const x = ctx.inputs[0];
  const act = String(ctx.config.activation);
  const y = emitActivation(ctx.g, x.name, act, x.shape.length, ctx.layer.name, ctx.fail);
  return y === x.name ? x : { ...same(ctx, y), nonNegative: NON_NEGATIVE.includes(act) };
}

/** ReLU layer (optional maxValue: Clip). */
export function relu(ctx: ConvertContext): Value {
  const max = ctx.config.maxValue as number | null | undefined;
  const x = ctx.inputs[0].name;
  if (max == null) return { ...same(ctx, ctx.g.node('Relu', [x], {}, ctx.layer.name)), nonNegative: true };
  const lo = ctx.g.floats(`${ctx.layer.name}/min`, [0], []);
  return {
    ...same(ctx, ctx.g.node('Clip', [x, lo, ctx.g.floats(`${ctx.layer.name}/max`, [max], [])], {}, ctx.layer.name)),
    nonNegative: true,
  };
}

export function leakyRelu(ctx: ConvertContext): Value {
  return same(ctx, ctx.g.node('LeakyRelu', [ctx.inputs[0].name], { alpha: float((ctx.config.alpha as number) ?? 0.3) }, ctx.layer.name));
}

export function elu(ctx: ConvertContext): Value {
  return same(ctx, ctx.g.node('Elu', [ctx.inputs[0].name], { alpha: float((ctx.config.alpha as number) ?? 1) }, ctx.layer.name));
}

export function softmax(ctx: ConvertContext): Value {
  const x = ctx.inputs[0];
  const axis = onnxAxis((ctx.config.axis as number) ?? -1, x.shape.length);
  return same(ctx, ctx.g.node('Softmax', [x.name], { axis: int(axis) }, ctx.layer.name));
}

/** MobileNetV3's x * relu6(x + 3) / 6 = ONNX HardSwish (opset 14). */
export function hardSwish(ctx: ConvertContext): Value {
  return same(ctx, ctx.g.node('HardSwish', [ctx.inputs[0].name], {}, ctx.layer.name));
}

/** MobileNetV3's relu6(x + 3) / 6 = ONNX HardSigmoid with alpha 1/6, beta 0.5. */
export function hardSigmoid(ctx: ConvertContext): Value {
  return same(ctx, ctx.g.node('HardSigmoid', [ctx.inputs[0].name], { alpha: float(1 / 6), beta: float(0.5) }, ctx.layer.name));
}

/** The encoders' Preprocess layer, op for op as its call(): reverse channels, * scale, - mean, / std. */
export function preprocess(ctx: ConvertContext): Value {
  const { mode, channels } = ctx.config as { mode: string; channels: number };
  const x = ctx.inputs[0];
  if (mode === 'none') return x;
  let k: ReturnType<typeof preprocessConstants>;
  try {
    k = preprocessConstants(mode as Preprocessing, channels);
  } catch {
    return ctx.fail(`preprocessing mode '${mode}'`);
  }
  const g = ctx.g;
  const n = ctx.layer.name;
  let y = x.name;
  if (k.reverse) y = g.node('Gather', [y, g.int64s(`${n}/bgr`, [2, 1, 0])], { axis: int(1) }, `${n}/rgb_to_bgr`);
  if (k.scale !== 1) y = g.node('Mul', [y, g.floats(`${n}/scale`, [k.scale], [])], {}, `${n}/scale`);
  y = g.node('Sub', [y, g.floats(`${n}/mean`, k.mean, [1, channels, 1, 1])], {}, `${n}/sub_mean`);
  if (k.std.some((s) => s !== 1)) y = g.node('Div', [y, g.floats(`${n}/std`, k.std, [1, channels, 1, 1])], {}, `${n}/div_std`);
  return same(ctx, y);
}

export function concatenate(ctx: ConvertContext): Value {
  const rank = ctx.outputShape.length;
  const axis = onnxAxis((ctx.config.axis as number) ?? -1, rank);
  return same(
    ctx,
    ctx.g.node(
      'Concat',
      ctx.inputs.map((v) => v.name),
      { axis: int(axis) },
      ctx.layer.name,
    ),
  );
}

/** Add / Multiply / Average / Maximum / Minimum (inputs of one rank, broadcast as tfjs does). */
export function merge(op: 'Sum' | 'Mul' | 'Mean' | 'Max' | 'Min') {
  return (ctx: ConvertContext): Value => {
    const ranks = new Set(ctx.inputs.map((v) => v.shape.length));
    if (ranks.size !== 1) ctx.fail(`inputs of different ranks (${ctx.inputs.map((v) => `[${v.shape.join(', ')}]`).join(', ')})`);
    const names = ctx.inputs.map((v) => v.name);
    if (op === 'Sum' && names.length === 2) return same(ctx, ctx.g.node('Add', names, {}, ctx.layer.name));
    if (op === 'Mul') {
      let y = names[0];
      for (let i = 1; i < names.length; i++)
        y = ctx.g.node(op, [y, names[i]], {}, i === names.length - 1 ? ctx.layer.name : `${ctx.layer.name}/${i}`);
      return same(ctx, y);
    }
    return same(ctx, ctx.g.node(op, names, {}, ctx.layer.name));
  };
}

/** Reshape: in tfjs' layout (NHWC), so values cross the layout boundary by transposes; [N, C] -> [N, 1, 1, C] after a global pool is free. */
export function reshape(ctx: ConvertContext): Value {
  const x = ctx.inputs[0];
  const target = ctx.config.targetShape as number[];
  const outRank = target.length + 1;
  if (x.pooled4d && target.length === 3 && target[0] === 1 && target[1] === 1) return { name: x.pooled4d, shape: ctx.outputShape };
  const g = ctx.g;
  const n = ctx.layer.name;
  const shape = g.int64s(`${n}/shape`, [0, ...target]);
  const y = g.node('Reshape', [toTfLayout(g, x, n), shape], {}, outRank === 4 ? `${n}/nhwc` : n);
  return same(ctx, fromTfLayout(g, y, outRank, n));
}

export function flatten(ctx: ConvertContext): Value {
  const x = ctx.inputs[0];
  if (x.pooled4d || x.shape.length === 2) return x;
  return same(ctx, ctx.g.node('Flatten', [toTfLayout(ctx.g, x, ctx.layer.name)], { axis: int(1) }, ctx.layer.name));
}

/** Dense on the last axis (rank-2 inputs directly; others through tfjs' layout). */
export function dense(ctx: ConvertContext): Value {
  const x = ctx.inputs[0];
  const k = ctx.weights.get('kernel');
  if (!k) return ctx.fail('it has no kernel weight');
  const g = ctx.g;
  const n = ctx.layer.name;
  let y = g.node('MatMul', [toTfLayout(g, x, n), g.floats(`${n}/kernel`, k.data, k.shape)], {}, `${n}/matmul`);
  const b = ctx.weights.get('bias');
  if (ctx.config.useBias && b) y = g.node('Add', [y, g.floats(`${n}/bias`, b.data, b.shape)], {}, `${n}/bias_add`);
  y = fromTfLayout(g, y, ctx.outputShape.length, n);
  return same(ctx, emitActivation(g, y, String(ctx.config.activation ?? 'linear'), ctx.outputShape.length, `${n}/activation`, ctx.fail));
}

/**
 * ZeroPadding2D: a Pad node, which a following convolution absorbs into its own pads, and a following max pool
 * too when its input cannot be negative (a ReLU's output; then zero and MaxPool's own -inf padding agree). The
 * Pad is then pruned. A Pad that stays gets its zero from the graph at run time rather than as a constant:
 * ONNX Runtime (1.17+, PadFusion) folds a constant zero Pad into a following MaxPool, which then pads with -inf
 * and differs wherever a window of negative values touches the border (microsoft/onnxruntime#18136).
 */
export function zeroPadding2d(ctx: ConvertContext): Value {
  const c = ctx.config;
  if (c.dataFormat !== undefined && c.dataFormat !== 'channelsLast') ctx.fail(`dataFormat '${String(c.dataFormat)}'`);
  const [[t, b], [l, r]] = c.padding as [[number, number], [number, number]];
  const x = ctx.inputs[0];
  const g = ctx.g;
  const n = ctx.layer.name;
  const pads = g.int64s(`${n}/pads`, [0, 0, t, l, 0, 0, b, r]);
  const batch = g.node(
    'Gather',
    [g.node('Shape', [x.name], {}, `${n}/shape`), g.int64s(`${n}/batch_axis`, [0], [])],
    { axis: int(0) },
    `${n}/batch`,
  );
  const zero = g.node(
    'Cast',
    [g.node('Mul', [batch, g.int64s(`${n}/zero_int`, [0], [])], {}, `${n}/times_zero`)],
    { to: int(1) },
    `${n}/zero`,
  );
  const y = g.node('Pad', [x.name, pads, zero], { mode: str('constant') }, n);
  return { name: y, shape: ctx.outputShape, padded: { source: x, pads: [t, b, l, r] }, nonNegative: x.nonNegative };
}

export function cropping2d(ctx: ConvertContext): Value {
  const c = ctx.config;
  if (c.dataFormat !== undefined && c.dataFormat !== 'channelsLast') ctx.fail(`dataFormat '${String(c.dataFormat)}'`);
  const [[t, b], [l, r]] = c.cropping as [[number, number], [number, number]];
  const g = ctx.g;
  const n = ctx.layer.name;
  const big = 2 ** 62;
  const starts = g.int64s(`${n}/starts`, [t, l]);
  const ends = g.int64s(`${n}/ends`, [b > 0 ? -b : big, r > 0 ? -r : big]);
  return same(ctx, g.node('Slice', [ctx.inputs[0].name, starts, ends, g.int64s(`${n}/axes`, [2, 3])], {}, n));
}

/** Dropout, SpatialDropout2D, GaussianNoise, ...: the identity at inference. */
export const identity = (ctx: ConvertContext): Value => ctx.inputs[0];
