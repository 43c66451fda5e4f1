/**
 * The optimizer's options, defined once: the trainer (`train({ optimizer })`), `createOptimizer` and the CLI's
 * run configs (`train.optimizer`) all take this schema's type.
 */
import { z } from '@depthblocks/core';

export const optimizerNameSchema = z.enum(['adam', 'adamw', 'sgd']);

/** Options of {@link createOptimizer} (strict: an unknown key is an error with a "did you mean"). */
export const optimizerOptionsSchema = z.strictObject({
  /** 'adam' (default), 'adamw' (decoupled weight decay) or 'sgd' (with momentum). */
  name: optimizerNameSchema.optional(),
  /** Learning rate (default 1e-4, DenseDepth's). */
  lr: z.number().positive().optional(),
  /** Adam's first-moment decay (default 0.9). */
  beta1: z.number().min(0).lt(1).optional(),
  /** Adam's second-moment decay (default 0.999). */
  beta2: z.number().min(0).lt(1).optional(),
  /** Adam's epsilon (default 1e-7, as Keras; sgd: unused). */
  epsilon: z.number().nonnegative().optional(),
  /** adam: L2 penalty added to the gradient (torch Adam's weight_decay); adamw: decoupled decay. Default 0 (adamw: 0.01). */
  weightDecay: z.number().nonnegative().optional(),
  /** sgd momentum (default 0.9). */
  momentum: z.number().min(0).lt(1).optional(),
});

export type OptimizerName = z.infer<typeof optimizerNameSchema>;
export type OptimizerOptions = z.input<typeof optimizerOptionsSchema>;
