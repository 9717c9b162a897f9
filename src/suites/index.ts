// The scenario suites' public face: load suites, play a cell, judge it.
export { type LoadCatalogueOptions, loadCatalogue } from './catalogue.js';
export { evaluate } from './evaluate.js';
export { type Catalogue, type CellRunOptions, DEFAULT_TERMINAL_ID, runCell } from './executor.js';
export {
  BUILTIN_INVARIANTS,
  type CellObservation,
  type Invariant,
  type ObservedStep,
} from './invariants/index.js';
export { FIELD_ALIASES } from './matchers/field-key.js';
export type { HostMessage } from './matchers/host-message.js';
export type { Scenario, ScenarioStep, TransactionStep } from './scenario.js';
export { loadScenarioFile } from './scenario-loader.js';
export { ScenarioDataSchema, ScenarioFileSchema, SuiteFileSchema } from './scenario-schema.js';
export {
  builtinSuitesDir,
  type LoadSuitesOptions,
  loadSuites,
  type ScenarioRegistry,
  workspaceSuites,
} from './suite-loader.js';
export type { ScenarioInfo, SuiteInfo, SuiteRegistry } from './suite-registry.js';
