// The matrix runner's public face: plan, schedule, store, resume, shard, merge.
export * from './aggregate.js';
export * from './cell.js';
export { cellSeed } from './cell-seed.js';
export { ConfigError } from './config-error.js';
export { type MergeConflict, type MergeResult, mergeRuns } from './merge.js';
export * from './planner.js';
export { RESULTS_FILE, ResultStore, readResults } from './result-store.js';
export { CONFIG_FILE, loadRunConfig, type RunConfig, RunConfigSchema } from './run-config.js';
export {
  MANIFEST_FILE,
  planHash,
  type RunManifest,
  type RunSettings,
  readManifest,
} from './run-manifest.js';
export { type RunMatrixOptions, type RunMatrixResult, runMatrix } from './run-matrix.js';
export { type CellRunner, type ScheduleOptions, scheduleCells } from './scheduler.js';
export { inShard, parseShard, type Shard, shardOf } from './shard.js';
export { openWorkspace, type Workspace } from './workspace-runner.js';
