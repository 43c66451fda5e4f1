/**
 * Patch `layersBatchNorm`: routes tfjs-layers' BatchNormalization through core's `batchNormTrain` (one kernel, patch
 * `batchNormKernels`) when training on a backend that has the kernel, channels last, with scale and centre.
 * Anything else takes tfjs-layers' own path. The moving averages are updated exactly as tfjs-layers does.
 */
import { BackendKernels, batchNormTrain, hasKernel, tf } from '@depthblocks/core';
import type { Patch } from '../patch';

type LayerVariable = { read(): tf.Tensor; write(v: tf.Tensor): void };
type BatchNormLayer = {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: LayerVariable;
  beta: LayerVariable;
  movingMean: LayerVariable;
  movingVariance: LayerVariable;
};
type Call = (this: BatchNormLayer, inputs: tf.Tensor | tf.Tensor[], kwargs: any) => tf.Tensor;

/** tfjs-layers' BatchNormalization class, as registered for (de)serialisation (no instance is created). */
function batchNormalizationClass(): { prototype: { call: Call } } {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap['BatchNormalization'];
  if (!entry) throw new Error('tfjs-layers BatchNormalization is not registered');
  return entry[0] as unknown as { prototype: { call: Call } };
}

/** The patch: BatchNormalization.prototype.call. */
export const layersBatchNorm: Patch = {
  name: 'layersBatchNorm',
  tfjs: ['tfjs-core', 'tfjs-layers'],
  apply(c) {
    const proto = batchNormalizationClass().prototype;
    const original = proto.call;
    const call: Call = function (this: BatchNormLayer, inputs, kwargs) {
      const x = Array.isArray(inputs) && inputs.length === 1 ? inputs[0] : inputs;
      const usable =
        kwargs?.training === true &&
        x instanceof tf.Tensor &&
        x.dtype === 'float32' &&
        x.rank >= 2 &&
        (this.axis === -1 || this.axis === x.rank - 1) &&
        this.scale &&
        this.center &&
        hasKernel(BackendKernels.batchNormTrain); // elsewhere tfjs-layers' own path is as good
      if (!usable) return original.call(this, inputs, kwargs);
      return tf.tidy(() => {
        const [y, mean, variance] = batchNormTrain(x, this.gamma.read(), this.beta.read(), this.epsilon);
        // as tfjs-layers: moving <- moving - (moving - batch) * (1 - momentum)
        for (const [v, batch] of [
          [this.movingMean, mean],
          [this.movingVariance, variance],
        ] as const) {
          tf.tidy(() => {
            const old = v.read();
            v.write(tf.sub(old, tf.mul(tf.sub(old, batch), 1 - this.momentum)));
          });
        }
        return y;
      });
    };
    c.method(proto, 'call', call, 'tfjs-layers BatchNormalization.call');
  },
};
