/**
 * Learning-rate schedules: constant, step decay, cosine (with warm-up), and reduce-on-plateau (as DenseDepth's
 * Keras code used). A schedule is a small state machine whose state is saved in checkpoints.
 */
import { parseWithSchema, z } from '@depthblocks/core';

const nonNegative = z.number().nonnegative();

/**
 * A schedule's options, defined once: the trainer (`train({ schedule })`), `createSchedule` and the CLI's run
 * configs (`train.schedule`) take this schema's type. Strict: an unknown key is an error with a "did you mean".
 */
export const scheduleOptionsSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('constant') }),
  z.strictObject({
    type: z.literal('step'),
    /** Multiply the rate by `gamma` every `stepSize` epochs (or steps, with `per: 'step'`). */
    stepSize: z.number().int().positive(),
    /** Default 0.1. */
    gamma: z.number().positive().optional(),
    /** Default 'epoch'. */
    per: z.enum(['epoch', 'step']).optional(),
  }),
  z.strictObject({
    type: z.literal('cosine'),
    /** Steps of the whole decay (default: the run's). */
    totalSteps: z.number().int().positive().optional(),
    /** Final rate (default 0). */
    minLr: nonNegative.optional(),
    /** Linear warm-up steps (default 0). */
    warmupSteps: z.number().int().nonnegative().optional(),
  }),
  z.strictObject({
    type: z.literal('plateau'),
    /** Rate multiplier on a plateau (default 0.7). */
    factor: z.number().positive().lt(1).optional(),
    /** Epochs without improvement before reducing (default 5). */
    patience: z.number().int().nonnegative().optional(),
    minLr: nonNegative.optional(),
    /** Relative improvement that counts (default 1e-4). */
    threshold: nonNegative.optional(),
    /** The metric watched (default: the trainer's `monitor`, the epoch's mean loss). */
    monitor: z.string().optional(),
    /** 'min' (default) or 'max': which direction is better. */
    mode: z.enum(['min', 'max']).optional(),
  }),
]);

export type ScheduleOptions = z.input<typeof scheduleOptionsSchema>;

export interface ScheduleState {
  /** plateau: best value seen, epochs without improvement, current multiplier. */
  best: number | null;
  bad: number;
  scale: number;
}

export interface Schedule {
  readonly options: ScheduleOptions;
  /** The learning rate at a step (0-based) and epoch (0-based). */
  lrAt(baseLr: number, step: number, epoch: number, totalSteps: number): number;
  /** plateau: report the monitored value at the end of an epoch. Returns true when it reduced the rate. */
  observe(value: number): boolean;
  state: ScheduleState;
}

/**
 * Creates a schedule.
 *
 * @example
 * const s = createSchedule({ type: 'cosine', warmupSteps: 100 });
 * const lr = s.lrAt(1e-4, step, epoch, totalSteps);
 */
export function createSchedule(options: ScheduleOptions = { type: 'constant' }): Schedule {
  options = parseWithSchema(scheduleOptionsSchema, options, 'Schedule options');
  const state: ScheduleState = { best: null, bad: 0, scale: 1 };
  const schedule: Schedule = {
    options,
    state,
    lrAt(baseLr, step, epoch, totalSteps) {
      switch (options.type) {
        case 'constant':
          return baseLr;
        case 'step': {
          const k = Math.floor((options.per === 'step' ? step : epoch) / options.stepSize);
          return baseLr * (options.gamma ?? 0.1) ** k;
        }
        case 'cosine': {
          const total = options.totalSteps ?? totalSteps;
          const warm = options.warmupSteps ?? 0;
          const minLr = options.minLr ?? 0;
          if (step < warm) return (baseLr * (step + 1)) / warm;
          const t = Math.min(1, (step - warm) / Math.max(1, total - warm));
          return minLr + 0.5 * (baseLr - minLr) * (1 + Math.cos(Math.PI * t));
        }
        case 'plateau':
          return Math.max(options.minLr ?? 0, baseLr * schedule.state.scale);
      }
    },
    observe(value) {
      if (options.type !== 'plateau' || !Number.isFinite(value)) return false;
      const mode = options.mode ?? 'min';
      const threshold = options.threshold ?? 1e-4;
      const s = schedule.state;
      const better = s.best === null || (mode === 'min' ? value < s.best * (1 - threshold) : value > s.best * (1 + threshold));
      if (better) {
        s.best = value;
        s.bad = 0;
        return false;
      }
      s.bad += 1;
      if (s.bad > (options.patience ?? 5)) {
        s.scale *= options.factor ?? 0.7;
        s.bad = 0;
        return true;
      }
      return false;
    },
  };
  return schedule;
}
