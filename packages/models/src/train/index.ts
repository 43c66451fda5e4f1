export { train, trainStep, trainableVariables } from './trainer';
export type {
  TrainOptions,
  TrainResult,
  StepRecord,
  EvalRecord,
  TrainLogEntry,
  ResumeInfo,
  TrainLoss,
  BatchSource,
  Freezable,
} from './trainer';
export { createOptimizer } from './optimizer';
export { optimizerNameSchema, optimizerOptionsSchema } from './optimizer-options';
export type { OptimizerOptions, OptimizerName, TrainOptimizer, NamedState } from './optimizer';
export { createSchedule, scheduleOptionsSchema } from './schedule';
export type { ScheduleOptions, Schedule, ScheduleState } from './schedule';
export { encodeCheckpoint, decodeCheckpoint, restoreCheckpoint, checkCheckpointFits, memoryCheckpoint } from './checkpoint';
export type { CheckpointState, CheckpointStore, LoadedCheckpoint } from './checkpoint';
