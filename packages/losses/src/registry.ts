/**
 * The loss-term registry: names -> factories of loss functions. Each term registers itself next to its
 * implementation (l1.ts, ssim.ts, ...); a term written elsewhere registers the same way and can then be named
 * in `combineLosses` weights and in run configs' `train.loss`.
 */
import { createRegistry, registeredKeys, z } from '@depthblocks/core';
import type { LossFn } from './types';

/**
 * Registered term names and the options each term's factory takes (what `combineLosses(weights, options)`
 * passes under the term's name). A package that registers its own term can add it:
 * `declare module '@depthblocks/losses' { interface LossTermOptionsByName { myTerm: MyOptions } }`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface LossTermOptionsByName {}

/** A registered loss-term name (the built-in ones; any registered string is accepted too). */
export type LossTermName = keyof LossTermOptionsByName;

/** What {@link registerLoss} records besides the factory. */
export interface LossRegistration {
  description: string;
  /** This name is another spelling of a registered term (e.g. 'gradient' of 'grad'). */
  aliasOf?: string;
}

type AnyLossFactory = (options?: never) => LossFn;

/** The registry itself. */
export const lossRegistry = createRegistry<AnyLossFactory, LossRegistration>('loss term');

/**
 * Registers a loss term: `factory(options)` returns the term as a {@link LossFn}.
 *
 * @example
 * registerLoss('l2log', () => (t, p, m) => mse(tf.log(t), tf.log(p), m), { description: 'MSE of log depth' });
 * combineLosses({ l1: 0.1, l2log: 1 });
 */
export function registerLoss<O>(
  name: string,
  factory: (options?: O) => LossFn,
  spec: LossRegistration,
  options: { replace?: boolean } = {},
): void {
  lossRegistry.register(name, factory as AnyLossFactory, spec, options);
}

/**
 * Makes a registered term's loss function.
 *
 * @example
 * const ssimLoss = getLoss('ssim', { maxVal: 100 });
 */
export function getLoss<N extends LossTermName | (string & {})>(
  name: N,
  options?: N extends LossTermName ? LossTermOptionsByName[N] : unknown,
): LossFn {
  return (lossRegistry.get(name).factory as (o: unknown) => LossFn)(options);
}

/** Whether a loss term is registered under `name`. */
export function hasLoss(name: string): boolean {
  return lossRegistry.has(name);
}

/**
 * The registered loss terms.
 *
 * @example
 * listLosses().map((l) => l.name); // ['l1', 'mse', 'grad', 'gradient', 'ssim', ...]
 */
export function listLosses(): (LossRegistration & { name: string })[] {
  return lossRegistry.list().map(({ name, spec }) => ({ ...spec, name }));
}

/**
 * The schema of loss weights: keys are the registered terms (read when a config is checked, so terms
 * registered later count), values non-negative numbers. An unknown term is an error with a "did you mean".
 */
export const lossWeightsSchema = registeredKeys(lossRegistry, z.number().nonnegative());

/** Weights of the terms; a term with weight 0 is not computed. */
export type LossWeights = { [K in LossTermName]?: number } & { [name: string]: number | undefined };
