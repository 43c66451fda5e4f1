/**
 * @depthblocks/cli: the `depthblocks` command, and the functions behind it for use from code
 * (runTrain, runEval, runPredict, runAblation, runInfo).
 */
export { main, runCli, helpText, cliVersion, COMMANDS, formatError, exitCodeOf } from './bin';
export type { MainOptions } from './bin';
export { runTrain, defaultProtocol, headline } from './commands/train';
export type { TrainRunResult } from './commands/train';
export { runEval, runMerge, formatResult, formatEvalSummary, shardFiles } from './commands/eval';
export type { EvalRunOptions } from './commands/eval';
export { runPredict, listImages } from './commands/predict';
export { runConvert } from './commands/convert';
export type { ConvertRunOptions } from './commands/convert';
export { loadModelFrom, openModel, isOnnxFile, checkRuntime } from './model-source';
export type { ModelSource, OpenModel } from './model-source';
export { runExport } from './commands/export';
export type { ExportRunOptions } from './commands/export';
export { shardFromEnvironment, shardFileName, SHARDS_ENV } from './shard';
export type { PredictRunOptions } from './commands/predict';
export { runAblation, checkAblationConfig, readAblationConfig } from './commands/ablate';
export type { AblationConfig, AblationRow } from './commands/ablate';
export { runInfo, formatInfo } from './commands/info';
export type { InfoReport } from './commands/info';
export { readRunConfig, checkRunConfig, mergeConfig, runConfigSchema, backendSchema } from './run-config';
export type { RunConfig } from './run-config';
export { FLAGS, flagsOf, parseFlags } from './flags';
export type { Command, Flag, ParsedFlags } from './flags';
export { UsageError, usageError } from './usage';
export { buildModel, buildLoss, buildBatcher, buildTransform, runInputSize, perceptualFeatures } from './build';
export { writeSvgAndPng } from './output';
