import type { GatewayVersion, HostVersion } from '../../mocks/hosts/host-loader.js';
import type { TransactionOutcome, TransactionRequest } from '../../terminals/terminal.js';
import type { CellPayment } from '../cell-hosts.js';
import type { HostMessage } from '../matchers/host-message.js';
import type { Finding } from '../matchers/message-expectation.js';
import type { HostInstanceName, TransactionStep } from '../scenario.js';
import type { ExpectedViolation, InvariantId } from '../scenario-schema.js';

/** One transaction step as it was played. */
export interface ObservedStep {
  step: TransactionStep;
  request: TransactionRequest;
  /** Absent when the cell was cut off before the step ended. */
  outcome?: TransactionOutcome;
}

/** Everything a cell produced that expectations and invariants judge. */
export interface CellObservation {
  /** `harbor-bank@2025.1` */
  hostRef: string;
  /** The ISO host version (undefined for a REST gateway). */
  version?: HostVersion;
  /** Every exchange of every host instance of the cell, in arrival order. */
  messages: HostMessage[];
  steps: ObservedStep[];
  /** Set when the host is a REST gateway: what REST invariants judge besides the journal. */
  rest?: RestObservation;
}

export interface RestObservation {
  gateway: GatewayVersion;
  /** Every payment the gateway instance(s) held when the cell ended. */
  payments: ObservedPayment[];
}

export interface ObservedPayment extends CellPayment {
  instance: HostInstanceName;
  /** Position (among the transaction steps) of the step running when the gateway created it. */
  step?: number;
}

export interface InvariantOptions {
  /** Violations the scenario expects: the no-violations invariant lets them pass. */
  expectedViolations: readonly ExpectedViolation[];
}

/** A check made on every cell without being written in the scenario; a scenario may turn one off. */
export interface Invariant {
  id: InvariantId;
  /** One line for docs and `paymatrix suites`. */
  description: string;
  /** Reason kind of its findings: `violation` for the host's rejections, `invariant` otherwise. */
  reasonKind: 'invariant' | 'violation';
  check(observation: CellObservation, options: InvariantOptions): Finding[];
}
