import type { Capability } from '../terminals/terminal.js';

/**
 * What the planner and the reports need to know about scenarios (the suite loader implements it).
 * The full scenario (given / when / then) is the executor's business.
 */
export interface ScenarioInfo {
  /** Unique within its suite; the file name without .yaml. */
  id: string;
  suite: string;
  title: string;
  /** One line: why this scenario exists (what field failure it catches). */
  why: string;
  tags: string[];
  /** Capabilities a build needs; a build without one makes the cell n/a. */
  requires: Capability[];
  /** Protocol families it applies to (default both); a build of another family makes the cell n/a. */
  families: Array<'iso8583' | 'rest'>;
  file: string;
}

export interface SuiteInfo {
  id: string;
  title: string;
  description: string;
  scenarios: ScenarioInfo[];
}

export interface SuiteRegistry {
  /** Sorted by id; scenarios sorted by id. */
  list(): SuiteInfo[];
  /** `suite/scenario`; an unknown ref lists the suite's scenarios. */
  get(ref: string): ScenarioInfo;
}
