/**
 * Pooling with Keras' semantics: 'valid' floors the output size (ONNX ceil_mode 0); 'same' is ONNX SAME_UPPER
 * (output ceil(in / stride), the odd pad at the end), where max pooling ignores the padding and average pooling
 * divides by the count of real pixels (count_include_pad 0), as TensorFlow does. Global average pooling keeps
 * [N, C, 1, 1] for a following Reshape to [1, 1, C] (squeeze-excite, LR-ASPP).
 */
import { int, ints, str, type Attr } from '../graph';
import type { ConvertContext, Value } from '../converter';

function pair(v: unknown): [number, number] {
  return Array.isArray(v) ? [v[0] as number, v[1] as number] : [v as number, v as number];
}

function pool(ctx: ConvertContext, op: 'MaxPool' | 'AveragePool'): Value {
  const c = ctx.config;
  if (c.dataFormat !== undefined && c.dataFormat !== 'channelsLast') ctx.fail(`dataFormat '${String(c.dataFormat)}'`);
  const kernel = pair(c.poolSize);
  const strides = pair(c.strides ?? c.poolSize);
  const attrs: Record<string, Attr> = { kernel_shape: ints(kernel), strides: ints(strides), ceil_mode: int(0) };
  let x = ctx.inputs[0];
  if (c.padding === 'same') attrs.auto_pad = str('SAME_UPPER');
  else if (c.padding !== 'valid') ctx.fail(`padding '${String(c.padding)}'`);
  if (op === 'AveragePool') attrs.count_include_pad = int(0);
  // zero padding of values >= 0 before a max pool = the pool's own padding (the Pad node is pruned)
  if (op === 'MaxPool' && c.padding === 'valid' && x.padded?.source.nonNegative && ctx.soleReader(0)) {
    const [t, b, l, r] = x.padded.pads;
    attrs.pads = ints([t, l, b, r]);
    x = x.padded.source;
  }
  return {
    name: ctx.g.node(op, [x.name], attrs, ctx.layer.name),
    shape: ctx.outputShape,
    nonNegative: op === 'MaxPool' && x.nonNegative,
  };
}

export const maxPooling2d = (ctx: ConvertContext): Value => pool(ctx, 'MaxPool');
export const averagePooling2d = (ctx: ConvertContext): Value => pool(ctx, 'AveragePool');

/** GlobalAveragePooling2D / GlobalMaxPooling2D: [N, C] (or [N, 1, 1, C] with keepDims). */
function globalPool(ctx: ConvertContext, op: 'GlobalAveragePool' | 'GlobalMaxPool'): Value {
  const c = ctx.config;
  if (c.dataFormat !== undefined && c.dataFormat !== 'channelsLast') ctx.fail(`dataFormat '${String(c.dataFormat)}'`);
  const y = ctx.g.node(op, [ctx.inputs[0].name], {}, ctx.layer.name);
  if (ctx.outputShape.length === 4) return { name: y, shape: ctx.outputShape };
  const flat = ctx.g.node('Flatten', [y], { axis: int(1) }, `${ctx.layer.name}/flatten`);
  return { name: flat, shape: ctx.outputShape, pooled4d: y };
}

export const globalAveragePooling2d = (ctx: ConvertContext): Value => globalPool(ctx, 'GlobalAveragePool');
export const globalMaxPooling2d = (ctx: ConvertContext): Value => globalPool(ctx, 'GlobalMaxPool');
