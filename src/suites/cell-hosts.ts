import type { Exchange } from '../mocks/exchange.js';
import { gatewayStores, paymentTotals, startGateway } from '../mocks/gateway/index.js';
import type { CardBook, GatewayVersion, HostVersion } from '../mocks/hosts/host-loader.js';
import { Ledger } from '../mocks/iso-host/ledger.js';
import { startIsoHost } from '../mocks/iso-host/start-iso-host.js';
import type { PaymentState } from '../protocols/rest/api-schema.js';
import type { HostEndpoint, TerminalConfig } from '../terminals/terminal.js';
import { faultForVersion, faultsFor } from './fault-plan.js';
import { faultForGateway } from './rest-kinds.js';
import { HOST_DOWN_FAULT_ID, type HostInstanceName } from './scenario.js';
import type { ScenarioFault } from './scenario-schema.js';

/**
 * The host side of a cell behind one small interface, whatever the transport: an ISO 8583 host
 * (TCP) or a REST gateway (HTTP) per instance, each with its journal, its faults (a scenario's
 * `scope.kind` translated for that host version), `host: down|up` and close. The executor plays
 * steps against this and never asks which transport it is.
 */
export interface CellHost {
  readonly instance: HostInstanceName;
  /** Where the terminal connects: host and port (ISO) or base URL (REST). */
  readonly endpoint: HostEndpoint;
  /** The instance's journal, oldest first. */
  entries(): Exchange[];
  /** Adds a scenario fault now; `path` names it in errors (`when[3].fault`). */
  addFault(fault: ScenarioFault, path: string): void;
  removeFault(id: string): boolean;
  /** down: connects refused and requests on connections still open lost; up: back to normal. */
  setDown(down: boolean): Promise<void>;
  /** REST: the payments the gateway instance holds (a snapshot). */
  payments?(): CellPayment[];
  close(): Promise<void>;
}

/** A payment a gateway instance holds, as the double-charge check reads it. Never card data. */
export interface CellPayment {
  id: string;
  state: PaymentState;
  /** Minor units. */
  amount: number;
  currency: string;
  captured: number;
  refunded: number;
  createdMs: number;
}

export interface CellHostOptions {
  seed: number;
  timeScale: number;
  cards: CardBook;
}

/** Starts the instances of one cell's host version and says what the terminal needs to reach them. */
export interface CellHosts {
  readonly version: HostVersion | GatewayVersion;
  /** Starts one instance with the scenario's start-up faults that are `on` it. */
  start(instance: HostInstanceName, faults: readonly ScenarioFault[]): Promise<CellHost>;
  /** given.signedOn: the host counts the terminal as signed on. ISO only: a gateway has no sign-on. */
  signOn(terminalId: string): void;
  /**
   * Besides the endpoints: the host version's test keys (ISO), or its first test API key (REST);
   * and, when the instances speak TLS, their certificates to trust. Call it after they started.
   */
  credentials(terminalId: string): Pick<TerminalConfig, 'keys' | 'apiKey' | 'ca' | 'clientCertificate'>;
}

export function cellHosts(version: HostVersion | GatewayVersion, options: CellHostOptions): CellHosts {
  return version.kind === 'rest' ? gatewayHosts(version, options) : isoHosts(version, options);
}

/** The fault ids a `host: down` step adds, so `host: up` can remove them. */
const DOWN_IDS = [HOST_DOWN_FAULT_ID, `${HOST_DOWN_FAULT_ID}:lost`] as const;

interface FaultControl {
  add(spec: unknown, path?: string): unknown;
  remove(id: string): boolean;
}

async function setDown(faults: FaultControl, down: boolean): Promise<void> {
  for (const id of DOWN_IDS) faults.remove(id);
  if (down) {
    // New connections are refused; a request on a connection still open never reaches the host.
    faults.add({ fault: 'host-down', id: DOWN_IDS[0] });
    faults.add({ fault: 'no-response', params: { lost: 'request' }, id: DOWN_IDS[1] });
  }
  await new Promise((resolve) => setImmediate(resolve)); // the listener follows on the next turn
}

function isoHosts(version: HostVersion, options: CellHostOptions): CellHosts {
  // A backup shares the primary's ledger: two front ends of one bank.
  const ledger = new Ledger();
  // A version that speaks TLS: its instances' test certificates, which the terminal trusts.
  const certificates = new Set<string>();
  // Mutual TLS: the terminal certificate the instances issued (one test CA per process: the same).
  let clientCertificate: TerminalConfig['clientCertificate'];
  return {
    version,
    async start(instance, faults) {
      const host = await startIsoHost({
        host: version,
        port: 0,
        faults: faultsFor(faults, instance, version),
        seed: options.seed,
        timeScale: options.timeScale,
        ledger,
        cards: options.cards,
        label: instance,
      });
      if (host.certificate !== undefined) certificates.add(host.certificate);
      clientCertificate ??= host.terminalCertificate;
      return {
        instance,
        endpoint: { ...host.address },
        entries: () => host.journal.entries(),
        addFault: (fault, path) => host.faults.add(faultForVersion(fault, version), path),
        removeFault: (id) => host.faults.remove(id),
        setDown: (down) => setDown(host.faults, down),
        close: () => host.close(),
      };
    },
    signOn(terminalId) {
      ledger.terminal(terminalId).signedOn = true;
    },
    credentials(terminalId) {
      const keys = Object.entries(version.keysFor(terminalId)).filter(
        (e): e is [string, string] => typeof e[1] === 'string',
      );
      return {
        keys: Object.fromEntries(keys),
        ...(certificates.size > 0 && { ca: [...certificates].join('\n') }),
        ...(clientCertificate && { clientCertificate }),
      };
    },
  };
}

/** Gateway versions whose request validators are compiled. */
const warmed = new WeakSet<GatewayVersion>();

/**
 * Compiles a version's request validators (ajv, lazy otherwise) before its first cell: the first
 * request of each operation would pay for it, and at time scale 0.01 that can outlast the terminal's
 * scaled answer timeout and turn into a retry the build never made.
 */
export function warmGateway(version: GatewayVersion): void {
  if (warmed.has(version)) return;
  warmed.add(version);
  for (const api of version.apis)
    for (const op of api.operations)
      op.validateRequest({ body: {}, hasBody: true, headers: {}, query: {}, params: {} });
}

function gatewayHosts(version: GatewayVersion, options: CellHostOptions): CellHosts {
  const apiKey = version.spec.auth.keys[0];
  // The test certificates of the instances started (one per process today; a backup may differ).
  // A version with `tls` speaks HTTPS; the terminal is given the certificate as its CA.
  const certificates = new Set<string>();
  // Mutual TLS: the terminal certificate the instances issued (one test CA per process: the same).
  let clientCertificate: TerminalConfig['clientCertificate'];
  warmGateway(version);
  // A backup shares the primary's payments and idempotency keys: two front ends of one gateway.
  const stores = gatewayStores(version, { seed: options.seed, timeScale: options.timeScale });
  return {
    version,
    async start(instance, faults) {
      // Each fault is added on its own, so an error names it as the scenario wrote it (given.faults[2]).
      const mine = faults.flatMap((f, i) =>
        (f.on ?? 'primary') === instance ? [{ spec: translate(f, `given.faults[${i}]`), i }] : [],
      );
      const gateway = await startGateway({
        host: version,
        port: 0,
        seed: options.seed,
        timeScale: options.timeScale,
        cards: options.cards,
        label: instance,
        stores,
      });
      if (gateway.certificate !== undefined) certificates.add(gateway.certificate);
      clientCertificate ??= gateway.terminalCertificate;
      try {
        for (const { spec, i } of mine) gateway.faults.add(spec, `given.faults[${i}]`);
      } catch (err) {
        await gateway.close();
        throw err;
      }
      return {
        instance,
        endpoint: { url: gateway.url },
        entries: () => gateway.journal.entries(),
        addFault: (fault, path) => gateway.faults.add(translate(fault, path), path),
        removeFault: (id) => gateway.faults.remove(id),
        setDown: (down) => setDown(gateway.faults, down),
        // The payments this front end took (the store is shared: each is listed once, by its taker).
        payments: () =>
          gateway.payments
            .list()
            .filter((p) => p.via === instance)
            .map((p) => ({ ...paymentTotals(p), createdMs: p.createdMs })),
        close: () => gateway.close(),
      };
    },
    signOn() {
      // A gateway has no sign-on: every request carries the API key.
    },
    credentials: () => ({
      ...(apiKey !== undefined && { apiKey }),
      ...(certificates.size > 0 && { ca: [...certificates].join('\n') }),
      ...(clientCertificate && { clientCertificate }),
    }),
  };

  function translate(fault: ScenarioFault, path: string) {
    try {
      return faultForGateway(fault, version);
    } catch (err) {
      throw new Error(`${path}: ${(err as Error).message}`);
    }
  }
}
