import type { RecordedMessage } from '../mocks/exchange.js';
import type { DialectRegistry } from '../protocols/iso8583/dialect-loader.js';
import type { ApiRegistry } from '../protocols/rest/api-loader.js';

/**
 * The control interface of a terminal under test — paymatrix's own small "ECR protocol". The
 * scenario executor drives every firmware build through it, whatever the driver behind it: the
 * built-in reference terminal (a build profile), an external emulator process (JSON lines over
 * stdio, docs/control-protocol.md) or, later, a container. Nothing here knows a dialect or an API.
 */

/** What the executor can ask a terminal to do. */
export const TRANSACTION_TYPES = [
  'sign-on',
  'echo',
  'sale',
  'refund',
  'void',
  'pre-auth',
  'completion',
  'balance',
  'settlement',
] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

/**
 * What a build can do. A scenario that requires a capability the build lacks is "n/a" for that
 * build, not failed (the EMVCo ICS model). Transaction types are capabilities too.
 */
export const CAPABILITIES = [
  ...TRANSACTION_TYPES,
  /** Reverses a timed-out request (0400/1420 or a REST cancel). */
  'reversal',
  /** Store-and-forward of offline advices (0220/1220). */
  'saf',
  /** Switches to a backup host after failed connects. */
  'failover',
  /** Session key download at sign-on (CUP style). */
  'key-download',
  'mac',
  'pin',
  'emv',
  'magstripe',
  'contactless',
  'manual-entry',
  /** Settlement answered "unbalanced" is followed by a batch upload. */
  'batch-upload',
  /** REST: sends an idempotency key and retries with the same key. */
  'idempotency',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** How a card is presented. */
export type EntryMode = 'chip' | 'magstripe' | 'contactless' | 'manual';

/**
 * A test card as the executor hands it to a terminal (from mocks/cards.yaml). Test values only;
 * a driver never logs them in clear (maskPan for display).
 */
export interface CardInput {
  /** The card's name in the card book, for traces. */
  name?: string;
  pan: string;
  /** YYMM */
  expiry: string;
  serviceCode?: string;
  entryMode: EntryMode;
  /** The PIN the cardholder types; absent: no PIN entered. */
  pin?: string;
}

/** Identifies an earlier transaction for void, completion and refund. */
export interface TransactionReference {
  stan?: string;
  rrn?: string;
  authCode?: string;
  /** Amount of the original, minor units. */
  amount?: number;
  /** REST: the gateway's payment id. */
  paymentId?: string;
  /** Local date/time of the original as sent (MMDDhhmmss), for original data elements. */
  transmittedAt?: string;
  mti?: string;
}

export interface TransactionRequest {
  type: TransactionType;
  /** Minor units (cents, fen). May be zero or negative: the input suite tests what a build does then. */
  amount?: number;
  /** ISO 4217 numeric (`156`, `840`). Default: the build's. */
  currency?: string;
  card?: CardInput;
  /** For void, completion and refund: the transaction it refers to (from an earlier outcome). */
  original?: TransactionReference;
  /** Deadline for this whole transaction, ms before time scaling; the driver's default otherwise. */
  timeoutMs?: number;
}

export type OutcomeStatus = 'approved' | 'declined' | 'timed-out' | 'reversed' | 'error';

/** A message the terminal sent or received, in the exchange model, card data masked. */
export interface TerminalMessage {
  direction: 'sent' | 'received';
  /** ms since the transaction started. */
  atMs: number;
  message: RecordedMessage;
}

export interface TransactionOutcome {
  status: OutcomeStatus;
  /** The host's answer as the host sent it (DE39 `00`, `116`, REST status or decline code). */
  responseCode?: string;
  /** One line for people: `declined 51 insufficient funds`, `no answer in 30 s: reversal queued`. */
  detail: string;
  /** Identifies this transaction for a later void, completion or refund. */
  reference?: TransactionReference;
  /** Every message this transaction caused, including reversals and SAF uploads sent before it. */
  messages: TerminalMessage[];
  durationMs: number;
  /** Set when status is `error`: the harness or the emulator failed, not the host. */
  error?: { code: string; message: string; stderr?: string };
}

export type TerminalEventKind =
  | 'connected'
  | 'connect-failed'
  | 'sent'
  | 'received'
  | 'discarded'
  | 'timed-out'
  | 'reversal-queued'
  | 'reversal-sent'
  | 'saf-queued'
  | 'saf-uploaded'
  | 'failover'
  | 'log';

export interface TerminalEvent {
  kind: TerminalEventKind;
  /** ISO 8601 */
  at: string;
  detail: string;
  message?: RecordedMessage;
}

export interface TerminalIdentity {
  /** The firmware build id. */
  build: string;
  vendor: string;
  model: string;
  version: string;
}

/** Where a terminal connects: TCP for ISO 8583 hosts, a base URL for REST gateways. */
export type HostEndpoint = { host: string; port: number } | { url: string };

export interface TerminalConfig {
  primary: HostEndpoint;
  backup?: HostEndpoint;
  /** DE41 / DE42 (ISO) — defaults from the build. */
  terminalId?: string;
  merchantId?: string;
  /**
   * TEST key material the host version gives this terminal (hex by role: tmk, tpk, tak …); REST:
   * `apiKey`. Never logged.
   */
  keys?: Record<string, string>;
  apiKey?: string;
  /**
   * PEM of the host's or gateway's test certificate, trusted as a CA (a mock's is self-signed): REST
   * over HTTPS, ISO 8583 inside TLS.
   */
  ca?: string;
  /**
   * A TEST client certificate and key (PEM) the host's terminal CA issued, for a host that requires
   * one (mutual TLS). Key material: never logged.
   */
  clientCertificate?: { cert: string; key: string };
  /** Multiplies every duration the terminal applies (timeouts, retry pauses). Default 1. */
  timeScale?: number;
  seed?: number;
  /** Clock for transmission dates (tests pin it). */
  now?: () => Date;
}

/** One terminal under test. Transactions run one at a time: a second run() while one is outstanding rejects. */
export interface Terminal {
  identify(): Promise<TerminalIdentity>;
  capabilities(): Promise<readonly Capability[]>;
  configure(config: TerminalConfig): Promise<void>;
  run(request: TransactionRequest): Promise<TransactionOutcome>;
  /** Aborts the outstanding transaction, if any; it ends with status `error` or `reversed`. */
  cancel(): Promise<void>;
  /** Back to power-on state: batch, STAN counter, reversal and SAF queues cleared. */
  reset(): Promise<void>;
  /** Subscribes to events; returns the unsubscribe function. */
  onEvent(listener: (event: TerminalEvent) => void): () => void;
  /** Releases connections and processes. */
  close(): Promise<void>;
}

/** What a driver may need besides the build: where the workspace's data lives, and a stop signal. */
export interface DriverOptions {
  /** Workspace folder whose protocols/ add dialects and API versions (default: the current directory). */
  workspace?: string;
  /** Default timeout for a transaction the driver waits on, ms before time scaling. */
  timeoutMs?: number;
  /**
   * The workspace's dialects and API versions when the caller has them (a matrix run shares one set
   * between hosts and terminals); otherwise the driver loads its own. Read only when needed, so a
   * getter can defer loading the API documents until a REST build asks.
   */
  readonly dialects?: DialectRegistry;
  readonly apis?: ApiRegistry;
}

/** Makes terminals for builds of one `driver:` kind (reference, process; container later). */
export interface TerminalDriver {
  readonly name: string;
  create(build: import('./firmware-loader.js').FirmwareBuild, options?: DriverOptions): Promise<Terminal>;
  /**
   * Does ahead of time the work create() would do for this build on every call (resolve and cache
   * what the terminal is made from), so the first cells of a run do not pay for it. Throws what
   * create() would throw.
   */
  prepare?(build: import('./firmware-loader.js').FirmwareBuild, options?: DriverOptions): Promise<void>;
}
