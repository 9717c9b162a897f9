import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Exchange } from '../exchange.js';
import type { Journal } from '../journal.js';

/** Response times from 1 ms (a local mock) to 60 s (a late approval past any terminal timeout). */
export const LATENCY_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 45, 60,
];

/** The metric names, for docs and dashboards. */
export const METRIC_NAMES = {
  transactions: 'paymatrix_mock_transactions_total',
  latency: 'paymatrix_mock_response_seconds',
  faults: 'paymatrix_mock_faults_fired_total',
  violations: 'paymatrix_mock_violations_total',
  connections: 'paymatrix_mock_connections',
  events: 'paymatrix_mock_transport_events_total',
  info: 'paymatrix_mock_host_info',
  httpRequests: 'paymatrix_mock_http_requests_total',
  httpLatency: 'paymatrix_mock_http_response_seconds',
} as const;

/** What the metrics need from a host: its journal and how to name it. */
export interface ObservedHost {
  /** The `host` label value, e.g. `primary`. */
  label: string;
  ref: string;
  address?: { host: string; port: number };
  journal: Journal;
}

export interface MockMetricsOptions {
  /** Also collect Node's process metrics (CPU, memory, event loop) into the same registry. */
  defaultMetrics?: boolean;
}

/**
 * Prometheus metrics for the mock hosts of one process, fed only from their journals
 * (`journal.onExchange`), so the TCP server knows nothing about them. The registry is private,
 * never prom-client's global one: two mocks (or two tests) in one process must not share counters.
 * One registry serves every host it observes, each under its own `host` label, because prom-client
 * cannot merge registries that hold the same metric names into one exposition.
 */
export class MockMetrics {
  readonly registry = new Registry();
  readonly #transactions: Counter<'host' | 'mti' | 'code'>;
  readonly #latency: Histogram<'host' | 'mti'>;
  readonly #faults: Counter<'host' | 'fault'>;
  readonly #violations: Counter<'host' | 'rule'>;
  readonly #connections: Gauge<'host'>;
  /** host label + connection id of the connections open now. */
  readonly #open = new Set<string>();
  readonly #events: Counter<'host' | 'event'>;
  readonly #info: Gauge<'host' | 'ref' | 'address'>;
  readonly #httpRequests: Counter<'host' | 'operation' | 'status'>;
  readonly #httpLatency: Histogram<'host' | 'operation'>;

  constructor(options: MockMetricsOptions = {}) {
    const registers = [this.registry];
    this.#transactions = new Counter({
      name: METRIC_NAMES.transactions,
      help: 'Requests the mock host received, by request MTI and response code (none: no response sent)',
      labelNames: ['host', 'mti', 'code'],
      registers,
    });
    this.#latency = new Histogram({
      name: METRIC_NAMES.latency,
      help: 'Time from a request arriving to its response leaving, faults and issuer delays included',
      labelNames: ['host', 'mti'],
      buckets: [...LATENCY_BUCKETS],
      registers,
    });
    this.#faults = new Counter({
      name: METRIC_NAMES.faults,
      help: 'Exchanges or connections a fault fired on, by fault id',
      labelNames: ['host', 'fault'],
      registers,
    });
    this.#violations = new Counter({
      name: METRIC_NAMES.violations,
      help: 'Rules of the host version that requests broke, by rule',
      labelNames: ['host', 'rule'],
      registers,
    });
    this.#connections = new Gauge({
      name: METRIC_NAMES.connections,
      help: 'Terminal connections open now',
      labelNames: ['host'],
      registers,
    });
    this.#events = new Counter({
      name: METRIC_NAMES.events,
      help: 'Transport events: connected, disconnected, refused, malformed, idle-timeout, reset, lost, fault, unsent',
      labelNames: ['host', 'event'],
      registers,
    });
    this.#info = new Gauge({
      name: METRIC_NAMES.info,
      help: 'Always 1: which host version runs under each host label, and where it listens',
      labelNames: ['host', 'ref', 'address'],
      registers,
    });
    this.#httpRequests = new Counter({
      name: METRIC_NAMES.httpRequests,
      help: 'Requests a mock gateway received, by operationId and HTTP status (none: no answer sent)',
      labelNames: ['host', 'operation', 'status'],
      registers,
    });
    this.#httpLatency = new Histogram({
      name: METRIC_NAMES.httpLatency,
      help: 'Time from a gateway request arriving to its answer leaving, faults and issuer delays included',
      labelNames: ['host', 'operation'],
      buckets: [...LATENCY_BUCKETS],
      registers,
    });
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Counts every exchange the host records from now on; returns the unsubscribe. */
  observe(host: ObservedHost): () => void {
    const address = host.address ? `${host.address.host}:${host.address.port}` : '';
    this.#info.set({ host: host.label, ref: host.ref, address }, 1);
    this.#connections.set({ host: host.label }, 0);
    return host.journal.onExchange((exchange) => {
      // The listener runs inside the host's journal.record(): a metrics bug must never reach the host.
      try {
        this.record(host.label, exchange);
      } catch {
        // dropped on purpose
      }
    });
  }

  /** Counts one exchange under a host label (observe() calls this; tests may too). */
  record(label: string, exchange: Exchange): void {
    // The ISO view is decoded lazily: only read it for ISO exchanges.
    const mti = exchange.transport === 'iso8583' ? exchange.request?.iso?.mti : undefined;
    if (exchange.transport === 'http' && exchange.request) {
      // method/path/operation/status are eager in a gateway's record; headers and body stay unread.
      const http = exchange.request.http;
      const operation = http?.operation ?? `${http?.method ?? ''} unrouted`.trim();
      // An answer the host built but a fault (or the terminal hanging up) kept from leaving: none.
      const status = exchange.durationMs === undefined ? undefined : exchange.response?.http?.status;
      this.#httpRequests.inc({
        host: label,
        operation,
        status: status === undefined ? 'none' : String(status),
      });
      if (exchange.response && exchange.durationMs !== undefined) {
        this.#httpLatency.observe({ host: label, operation }, exchange.durationMs / 1000);
      }
    }
    if (mti !== undefined) {
      const code = exchange.durationMs === undefined ? undefined : exchange.response?.iso?.fields['39'];
      this.#transactions.inc({ host: label, mti, code: typeof code === 'string' ? code : 'none' });
      if (exchange.response && exchange.durationMs !== undefined) {
        this.#latency.observe({ host: label, mti }, exchange.durationMs / 1000);
      }
    }
    for (const fault of exchange.faults) this.#faults.inc({ host: label, fault });
    for (const v of exchange.violations) this.#violations.inc({ host: label, rule: v.rule });
    const kind = exchange.event?.kind;
    if (kind) {
      this.#events.inc({ host: label, event: kind });
      // Counted by connection: a 'disconnected' with no 'connected' before it (a TLS handshake the
      // terminal gave up) closes nothing that was open.
      const key = `${label}\u0000${exchange.connection}`;
      if (kind === 'connected') {
        this.#open.add(key);
        this.#connections.inc({ host: label });
      } else if (kind === 'disconnected' && this.#open.delete(key)) this.#connections.dec({ host: label });
    }
  }

  /** The Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
