export { train, trainStep, trainableVariables, truncateLog } from './trainer';
export type { TrainOptions, TrainResult, StepRecord, EvalRecord, TrainLoss, BatchSource, Freezable } from './trainer';
export { createOptimizer } from './optimizer';
export { optimizerNameSchema, optimizerOptionsSchema } from './optimizer-options';
export type { OptimizerOptions, OptimizerName, TrainOptimizer, NamedState } from './optimizer';
export { createSchedule, scheduleOptionsSchema } from './schedule';
export type { ScheduleOptions, Schedule, ScheduleState } from './schedule';
export { saveCheckpoint, readCheckpoint, restoreCheckpoint, checkCheckpointFits } from './checkpoint';
export type { CheckpointState, LoadedCheckpoint } from './checkpoint';
