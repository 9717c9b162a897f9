import type { TransactionType } from '../terminals/terminal.js';
import type { CardChoice, OutcomeExpectation, ScenarioFault, Then } from './scenario-schema.js';
import type { ScenarioInfo } from './suite-registry.js';

/**
 * A scenario as the executor plays it: the file's data with the short forms expanded, amounts in
 * minor units, every reference between steps resolved to an index and checked.
 */

export type HostInstanceName = 'primary' | 'backup';

export interface TransactionStep {
  kind: 'transaction';
  /** Position in `when`, 0-based. */
  index: number;
  /** Position among the transaction steps, 0-based: CellEvidence.steps[position], Reason.step. */
  position: number;
  /** What reasons call it: its `ref`, else the action (`sale`), numbered when repeated (`sale-2`). */
  name: string;
  /** Every name `original`, `step` and `outcomes` may use for it. */
  refs: string[];
  type: TransactionType;
  /** Minor units; may be zero or negative. */
  amountMinor?: number;
  currency?: string;
  card?: CardChoice;
  /** Index of the step whose outcome reference it carries (void, completion, refund). */
  original?: number;
  /** Scenario time (scaled by the driver). */
  timeoutMs?: number;
}

export interface WaitStep {
  kind: 'wait';
  index: number;
  /** Scenario time (scaled by the executor). */
  ms: number;
}

export interface HostStep {
  kind: 'host';
  index: number;
  action: 'down' | 'up';
  on: HostInstanceName;
}

export interface FaultStep {
  kind: 'fault';
  index: number;
  fault: ScenarioFault;
}

export interface UnfaultStep {
  kind: 'unfault';
  index: number;
  id: string;
  on: HostInstanceName;
}

export type ScenarioStep = TransactionStep | WaitStep | HostStep | FaultStep | UnfaultStep;

export interface ScenarioGiven {
  card?: CardChoice;
  signedOn: boolean;
  backup: boolean;
  faults: ScenarioFault[];
}

export interface Scenario extends ScenarioInfo {
  description: string;
  given: ScenarioGiven;
  steps: ScenarioStep[];
  /** Expected outcome by step index. */
  outcomes: Map<number, OutcomeExpectation>;
  then: Then;
}

/** The id a `host: down` step gives the host-down fault it adds (so `host: up` can remove it). */
export const HOST_DOWN_FAULT_ID = 'scenario-host-down';
