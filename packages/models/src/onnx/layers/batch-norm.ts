/**
 * Batch normalisation in inference mode (tfjs BatchNormalization, @depthblocks/encoders
 * FreezableBatchNormalization): y = (x - mean) * gamma / sqrt(var + eps) + beta over the channel axis.
 *
 * Folded by default into the convolution that produces its input, when that convolution has no activation and
 * no other reader: W'[o] = W[o] * s[o], b'[o] = (b[o] - mean[o]) * s[o] + beta[o], s = gamma / sqrt(var + eps),
 * computed in float64 and rounded once to float32. Otherwise (`keepBatchNorm`, or a batch norm after a concat or
 * an activation, as in DenseNet's pre-activation layers) an ONNX BatchNormalization node.
 */
import { float } from '../graph';
import { emitConv } from './conv';
import { onnxAxis, type BatchNormWeights, type ConvertContext, type Value } from '../converter';

function bnWeights(ctx: ConvertContext): BatchNormWeights {
  const w = (n: string) => ctx.weights.get(n)?.data ?? null;
  const mean = w('moving_mean');
  const variance = w('moving_variance');
  if (!mean || !variance) ctx.fail(`it has no moving_mean / moving_variance weights (weights: ${[...ctx.weights.keys()].join(', ')})`);
  const epsilon = ctx.config.epsilon as number;
  return { gamma: w('gamma'), beta: w('beta'), mean: mean!, variance: variance!, epsilon };
}

/** Per-channel scale s and shift t with y = x * s + t (float64). */
export function batchNormAffine(bn: BatchNormWeights): { scale: Float64Array; shift: Float64Array } {
  const n = bn.mean.length;
  const scale = new Float64Array(n);
  const shift = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    scale[c] = (bn.gamma ? bn.gamma[c] : 1) / Math.sqrt(bn.variance[c] + Math.fround(bn.epsilon));
    shift[c] = (bn.beta ? bn.beta[c] : 0) - bn.mean[c] * scale[c];
  }
  return { scale, shift };
}

/** BatchNormalization / FreezableBatchNormalization. */
export function batchNormalization(ctx: ConvertContext): Value {
  const x = ctx.inputs[0];
  const rank = x.shape.length;
  const axis = (ctx.config.axis as number | undefined) ?? -1;
  if (onnxAxis(axis, rank) !== 1 && !(rank === 2 && (axis === 1 || axis === -1)))
    ctx.fail(`axis ${axis} of a rank-${rank} input (only the channel axis is exported)`);
  const bn = bnWeights(ctx);
  const name = ctx.layer.name;
  if (!ctx.keepBatchNorm && x.conv && ctx.soleReader(0)) {
    const r = x.conv;
    const { scale, shift } = batchNormAffine(bn);
    const per = r.weight.length / r.dims[0];
    const weight = new Float32Array(r.weight.length);
    const bias = new Float32Array(r.dims[0]);
    for (let o = 0; o < r.dims[0]; o++) {
      for (let k = o * per; k < (o + 1) * per; k++) weight[k] = r.weight[k] * scale[o];
      bias[o] = (r.bias ? r.bias[o] : 0) * scale[o] + shift[o];
    }
    // the unfolded Conv is left without readers and pruned
    ctx.countFold();
    return { name: emitConv(ctx, { ...r, weight, bias }, `${r.layerName}+${name}`), shape: ctx.outputShape };
  }
  const n = bn.mean.length;
  const g = ctx.g;
  const inputs = [
    x.name,
    g.floats(`${name}/gamma`, bn.gamma ?? new Float32Array(n).fill(1), [n]),
    g.floats(`${name}/beta`, bn.beta ?? new Float32Array(n), [n]),
    g.floats(`${name}/moving_mean`, bn.mean, [n]),
    g.floats(`${name}/moving_variance`, bn.variance, [n]),
  ];
  return { name: g.node('BatchNormalization', inputs, { epsilon: float(bn.epsilon) }, name), shape: ctx.outputShape };
}
