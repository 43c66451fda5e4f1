/**
 * Resizing (@depthblocks/decoders Resize2D, tfjs UpSampling2D) as ONNX Resize, with the sampling of
 * TensorFlow's resize_bilinear / resize_nearest_neighbor:
 *
 * | tfjs                     | bilinear: coordinate_transformation_mode | nearest: + nearest_mode        |
 * |--------------------------|------------------------------------------|--------------------------------|
 * | halfPixelCenters (TF2)   | half_pixel                               | half_pixel, round_prefer_ceil  |
 * | alignCorners             | align_corners                            | align_corners, round_prefer_ceil |
 * | neither (TF1 legacy)     | asymmetric                               | asymmetric, floor              |
 *
 * TF's half-pixel nearest takes floor((o + 0.5) * in / out) = floor(x + 0.5) with ONNX's half-pixel source
 * x = (o + 0.5) * in / out - 0.5, i.e. rounding half up; its align-corners nearest rounds half away from zero,
 * also up for the non-negative x here. (PyTorch's `pytorch_half_pixel` differs from `half_pixel` only for
 * outputs of size 1, which no decoder makes.) Each row is checked numerically against tfjs in the tests.
 *
 * Target sizes are computed from the tensors' shapes in the graph (Shape, Slice, Concat), so the exported model
 * keeps dynamic height and width: Resize2D called on [x, reference] takes the reference's size, `size` is a
 * constant, `scale` is round(in * scale) as Resize2D computes it (Floor(x + 0.5): ONNX Round rounds half to even).
 */
import { int, str, type Attr } from '../graph';
import type { ConvertContext, Value } from '../converter';

function modeAttrs(interpolation: string, alignCorners: boolean, halfPixel: boolean, ctx: ConvertContext): Record<string, Attr> {
  const transform = alignCorners ? 'align_corners' : halfPixel ? 'half_pixel' : 'asymmetric';
  if (interpolation === 'bilinear') return { mode: str('linear'), coordinate_transformation_mode: str(transform) };
  if (interpolation === 'nearest') {
    return {
      mode: str('nearest'),
      coordinate_transformation_mode: str(transform),
      nearest_mode: str(alignCorners || halfPixel ? 'round_prefer_ceil' : 'floor'),
    };
  }
  return ctx.fail(`interpolation '${interpolation}' (bilinear and nearest are exported)`);
}

/** [N, C] of a rank-4 value, as a 1-D int64 tensor. */
function batchAndChannels(ctx: ConvertContext, x: string, name: string): string {
  const g = ctx.g;
  const shape = g.node('Shape', [x], {}, `${name}/shape`);
  return g.node('Slice', [shape, g.int64s(`${name}/0`, [0]), g.int64s(`${name}/2`, [2])], {}, `${name}/NC`);
}

/** Resize2D: to a reference's size, to a fixed size, or by a scale. */
export function resize2d(ctx: ConvertContext): Value {
  const c = ctx.config;
  const g = ctx.g;
  const name = ctx.layer.name;
  const x = ctx.inputs[0].name;
  const attrs = modeAttrs(String(c.interpolation), Boolean(c.alignCorners), Boolean(c.halfPixelCenters), ctx);
  const nc = batchAndChannels(ctx, x, name);
  let hw: string;
  if (ctx.inputs.length > 1) {
    const refShape = g.node('Shape', [ctx.inputs[1].name], {}, `${name}/reference_shape`);
    hw = g.node('Slice', [refShape, g.int64s(`${name}/2`, [2]), g.int64s(`${name}/4`, [4])], {}, `${name}/HW`);
  } else if (Array.isArray(c.size)) {
    hw = g.int64s(`${name}/HW`, c.size as number[]);
  } else if (Array.isArray(c.scale)) {
    const shape = g.node('Shape', [x], {}, `${name}/in_shape`);
    const inHw = g.node('Slice', [shape, g.int64s(`${name}/2`, [2]), g.int64s(`${name}/4`, [4])], {}, `${name}/in_HW`);
    const scaled = g.node(
      'Mul',
      [g.node('Cast', [inHw], { to: int(1) }, `${name}/in_HW_float`), g.floats(`${name}/scale`, c.scale as number[], [2])],
      {},
      `${name}/scaled`,
    );
    const rounded = g.node(
      'Floor',
      [g.node('Add', [scaled, g.floats(`${name}/half`, [0.5], [])], {}, `${name}/plus_half`)],
      {},
      `${name}/rounded`,
    );
    hw = g.node('Cast', [rounded], { to: int(7) }, `${name}/HW`);
  } else {
    return ctx.fail('it has no reference input, size or scale');
  }
  const sizes = g.node('Concat', [nc, hw], { axis: int(0) }, `${name}/sizes`);
  return { name: g.node('Resize', [x, '', '', sizes], attrs, name), shape: ctx.outputShape };
}

/** tfjs UpSampling2D: whole factors, TF1 legacy sampling (tf.image.resize* with both flags false). */
export function upSampling2d(ctx: ConvertContext): Value {
  const c = ctx.config;
  if (c.dataFormat !== undefined && c.dataFormat !== 'channelsLast') ctx.fail(`dataFormat '${String(c.dataFormat)}'`);
  const [sh, sw] = (c.size as number[]) ?? [2, 2];
  const attrs = modeAttrs(String(c.interpolation ?? 'nearest'), false, false, ctx);
  const scales = ctx.g.floats(`${ctx.layer.name}/scales`, [1, 1, sh, sw], [4]);
  return { name: ctx.g.node('Resize', [ctx.inputs[0].name, '', scales], attrs, ctx.layer.name), shape: ctx.outputShape };
}
