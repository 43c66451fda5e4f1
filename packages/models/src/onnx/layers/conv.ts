/**
 * Convolutions (tfjs Conv2D and DepthwiseConv2D, @depthblocks/encoders' DilatedConv2D and GroupedConv2D) and
 * the fusions around them: a preceding ZeroPadding2D becomes the convolution's pads, and a following batch
 * norm is folded into its weights (see batch-norm.ts).
 *
 * Weights: tfjs kernels are HWIO [kH, kW, Cin/groups, Cout] (depthwise: [kH, kW, C, multiplier], output channel
 * c * multiplier + j); ONNX Conv takes OIHW [Cout, Cin/groups, kH, kW] with `group`.
 */
import { int, ints, str, type Attr } from '../graph';
import { emitActivation, type ConvertContext, type ConvRecipe, type Value } from '../converter';

/** HWIO [kh, kw, i, o] -> OIHW [o, i, kh, kw]. */
export function hwioToOihw(data: Float32Array, [kh, kw, ci, co]: number[]): Float32Array {
  const out = new Float32Array(data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < ci; i++) {
        const src = ((y * kw + x) * ci + i) * co;
        for (let o = 0; o < co; o++) out[((o * ci + i) * kh + y) * kw + x] = data[src + o];
      }
  return out;
}

/** Depthwise [kh, kw, C, m] -> grouped OIHW [C * m, 1, kh, kw] (output channel c * m + j, as tfjs orders them). */
function depthwiseToOihw(data: Float32Array, [kh, kw, c, m]: number[]): Float32Array {
  return hwioToOihw(data, [kh, kw, 1, c * m]);
}

function pair(v: unknown, what: string, ctx: ConvertContext): [number, number] {
  const a = Array.isArray(v) ? v : [v, v];
  if (a.length !== 2 || !a.every((x) => Number.isInteger(x) && (x as number) > 0))
    ctx.fail(`${what} ${JSON.stringify(v)} is not two positive integers`);
  return [a[0] as number, a[1] as number];
}

/**
 * Padding attributes in the TensorFlow sense: 'valid' -> none; 'same' with stride 1 -> explicit pads (total
 * (k-1)*d, the extra one at the end, as TensorFlow); 'same' with a stride -> SAME_UPPER, which ONNX defines as
 * TensorFlow's 'same' (pads computed from the input size at run time). `extra` = pads absorbed from a
 * ZeroPadding2D, [top, bottom, left, right].
 */
export function paddingAttrs(
  padding: string,
  kernel: [number, number],
  strides: [number, number],
  dilations: [number, number],
  extra: [number, number, number, number] | null,
  ctx: ConvertContext,
): Record<string, Attr> {
  const [t0, b0, l0, r0] = extra ?? [0, 0, 0, 0];
  if (padding === 'valid') return extra ? { pads: ints([t0, l0, b0, r0]) } : {};
  if (padding !== 'same') return ctx.fail(`padding '${padding}' is not 'same' or 'valid'`);
  if (strides[0] === 1 && strides[1] === 1) {
    const th = (kernel[0] - 1) * dilations[0];
    const tw = (kernel[1] - 1) * dilations[1];
    const top = Math.floor(th / 2);
    const left = Math.floor(tw / 2);
    return { pads: ints([top + t0, left + l0, th - top + b0, tw - left + r0]) };
  }
  if (extra) return ctx.fail('internal: a ZeroPadding2D cannot be absorbed by a strided same-padded convolution');
  return { auto_pad: str('SAME_UPPER') };
}

/** Emits a recipe as a Conv node. */
export function emitConv(ctx: ConvertContext, r: ConvRecipe, name: string): string {
  const w = ctx.g.floats(`${name}/weight`, r.weight, r.dims);
  const inputs = [r.input, w];
  if (r.bias) inputs.push(ctx.g.floats(`${name}/bias`, r.bias, [r.dims[0]]));
  return ctx.g.node('Conv', inputs, r.attrs, name);
}

interface ConvSpec {
  /** OIHW weight and its dims. */
  weight: Float32Array;
  dims: number[];
  bias: Float32Array | null;
  group: number;
  strides: [number, number];
  dilations: [number, number];
  padding: string;
  activation: string;
}

/**
 * The shared tail of every convolution: absorb a sole-reader ZeroPadding2D (zero pads and a convolution's pads
 * are the same zeros), emit the Conv, record the recipe for batch-norm folding, apply the activation.
 */
function convolution(ctx: ConvertContext, s: ConvSpec): Value {
  let input = ctx.inputs[0];
  let extra: [number, number, number, number] | null = null;
  const stridedSame = s.padding === 'same' && (s.strides[0] > 1 || s.strides[1] > 1);
  if (input.padded && ctx.soleReader(0) && !stridedSame) {
    extra = input.padded.pads;
    input = input.padded.source;
  }
  const kernel: [number, number] = [s.dims[2], s.dims[3]];
  const attrs: Record<string, Attr> = {
    kernel_shape: ints(kernel),
    strides: ints(s.strides),
    dilations: ints(s.dilations),
    group: int(s.group),
    ...paddingAttrs(s.padding, kernel, s.strides, s.dilations, extra, ctx),
  };
  const recipe: ConvRecipe = { layerName: ctx.layer.name, input: input.name, weight: s.weight, dims: s.dims, bias: s.bias, attrs };
  const y = emitConv(ctx, recipe, ctx.layer.name);
  if (s.activation === 'linear') return { name: y, shape: ctx.outputShape, conv: recipe };
  return { name: emitActivation(ctx.g, y, s.activation, 4, `${ctx.layer.name}/activation`, ctx.fail), shape: ctx.outputShape };
}

function weight(ctx: ConvertContext, name: string): { data: Float32Array; shape: number[] } {
  const w = ctx.weights.get(name);
  if (!w) return ctx.fail(`it has no '${name}' weight (weights: ${[...ctx.weights.keys()].join(', ') || 'none'})`);
  return w;
}

function checkChannelsLast(ctx: ConvertContext): void {
  const f = ctx.config.dataFormat;
  if (f !== undefined && f !== 'channelsLast') ctx.fail(`dataFormat '${String(f)}' (only channelsLast models are exported)`);
}

/** tfjs Conv2D. */
export function conv2d(ctx: ConvertContext): Value {
  checkChannelsLast(ctx);
  const k = weight(ctx, 'kernel');
  const c = ctx.config;
  return convolution(ctx, {
    weight: hwioToOihw(k.data, k.shape),
    dims: [k.shape[3], k.shape[2], k.shape[0], k.shape[1]],
    bias: c.useBias ? weight(ctx, 'bias').data : null,
    group: 1,
    strides: pair(c.strides, 'strides', ctx),
    dilations: pair(c.dilationRate ?? 1, 'dilationRate', ctx),
    padding: String(c.padding),
    activation: String(c.activation ?? 'linear'),
  });
}

/** tfjs DepthwiseConv2D (any depth multiplier). */
export function depthwiseConv2d(ctx: ConvertContext): Value {
  checkChannelsLast(ctx);
  const k = weight(ctx, 'depthwise_kernel');
  const [kh, kw, ch, m] = k.shape;
  const c = ctx.config;
  return convolution(ctx, {
    weight: depthwiseToOihw(k.data, k.shape),
    dims: [ch * m, 1, kh, kw],
    bias: c.useBias ? weight(ctx, 'bias').data : null,
    group: ch,
    strides: pair(c.strides, 'strides', ctx),
    dilations: pair(c.dilationRate ?? 1, 'dilationRate', ctx),
    padding: String(c.padding),
    activation: String(c.activation ?? 'linear'),
  });
}

/** @depthblocks/encoders DilatedConv2D: stride 1, 'same' symmetric padding rate * (k - 1) / 2. */
export function dilatedConv2d(ctx: ConvertContext): Value {
  const c = ctx.config;
  const rate = c.dilationRate as number;
  if (c.depthwise) {
    const k = weight(ctx, 'depthwise_kernel');
    const [kh, kw, ch, m] = k.shape;
    return convolution(ctx, {
      weight: depthwiseToOihw(k.data, k.shape),
      dims: [ch * m, 1, kh, kw],
      bias: c.useBias ? weight(ctx, 'bias').data : null,
      group: ch,
      strides: [1, 1],
      dilations: [rate, rate],
      padding: 'same',
      activation: 'linear',
    });
  }
  const k = weight(ctx, 'kernel');
  return convolution(ctx, {
    weight: hwioToOihw(k.data, k.shape),
    dims: [k.shape[3], k.shape[2], k.shape[0], k.shape[1]],
    bias: c.useBias ? weight(ctx, 'bias').data : null,
    group: 1,
    strides: [1, 1],
    dilations: [rate, rate],
    padding: 'same',
    activation: 'linear',
  });
}

/** @depthblocks/encoders GroupedConv2D: ONNX Conv with `group` (the kernel is already [k, k, Cin/groups, Cout]). */
export function groupedConv2d(ctx: ConvertContext): Value {
  const c = ctx.config;
  const k = weight(ctx, 'kernel');
  const s = c.strides as number;
  const rate = (c.dilationRate as number) ?? 1;
  return convolution(ctx, {
    weight: hwioToOihw(k.data, k.shape),
    dims: [k.shape[3], k.shape[2], k.shape[0], k.shape[1]],
    bias: c.useBias ? weight(ctx, 'bias').data : null,
    group: c.groups as number,
    strides: [s, s],
    dilations: [rate, rate],
    padding: String(c.padding),
    activation: 'linear',
  });
}
