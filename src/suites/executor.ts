import type { Cell, CellResult, CellStatus, Reason } from '../matrix/cell.js';
import type { Exchange } from '../mocks/exchange.js';
import type { CardBook, GatewayVersion, HostRegistry, HostVersion } from '../mocks/hosts/host-loader.js';
import type { FirmwareBuild, FirmwareRegistry } from '../terminals/firmware-loader.js';
import { ProcessTerminalError } from '../terminals/process/process-terminal-error.js';
import type {
  CardInput,
  Terminal,
  TerminalEvent,
  TransactionOutcome,
  TransactionRequest,
} from '../terminals/terminal.js';
import { type CellHost, cellHosts } from './cell-hosts.js';
import { describeStep, evaluate } from './evaluate.js';
import { buildEvidence, maskReason } from './evidence.js';
import type { CellObservation, ObservedStep } from './invariants/index.js';
import { hostMessages } from './matchers/host-message.js';
import { withRestKinds } from './rest-kinds.js';
import type { HostInstanceName, Scenario, TransactionStep } from './scenario.js';
import { CARD_ACTIONS } from './scenario-loader.js';
import type { CardChoice, OutcomeExpectation } from './scenario-schema.js';
import { type StepStart, stepAtTime, stepOfExchange } from './step-starts.js';
import type { ScenarioRegistry } from './suite-loader.js';

/** Everything a cell needs from the workspace. */
export interface Catalogue {
  workspace: string;
  hosts: HostRegistry;
  firmware: FirmwareRegistry;
  suites: ScenarioRegistry;
  cards: CardBook;
  /** Makes a terminal for a build (the driver registry: reference, process …). */
  createTerminal(build: FirmwareBuild): Promise<Terminal>;
}

export interface CellRunOptions {
  /** Multiplies every duration of the hosts, the terminal and `wait` steps. */
  timeScale: number;
  /** Seeds the cell's faults and the terminal. */
  seed: number;
  /** Wall-clock budget of the whole cell; past it the cell is cut off and reported as error. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Terminal id when the build names none: the host's keys for an unknown terminal are its defaults. */
export const DEFAULT_TERMINAL_ID = 'PMX00001';
/** How long closing the terminal or a host may take before the cell stops waiting for it. */
const CLOSE_GRACE_MS = 2000;
const MAX_EVENTS = 2000;

/** Why a cell ended early. */
class CellStop extends Error {
  constructor(
    readonly reason: Reason,
    cause?: unknown,
  ) {
    super(reason.message, cause === undefined ? undefined : { cause });
  }
}

/**
 * Plays one cell — one firmware build × one host version × one scenario — and judges it:
 * starts the cell's own host instance(s) on ephemeral ports with the scenario's faults (seeded),
 * creates and configures the terminal, plays the steps, closes everything (always, also when the
 * cell is cut off at `timeoutMs`), then evaluates the scenario's expectations and the built-in
 * invariants. Never throws: a harness failure is an `error` cell with a `harness` reason.
 */
export async function runCell(
  cell: Cell,
  catalogue: Catalogue,
  options: CellRunOptions,
): Promise<CellResult> {
  const started = performance.now();
  const result = (
    status: CellStatus,
    reasons: Reason[],
    scenario?: Scenario,
    evidence?: CellResult['evidence'],
  ): CellResult => ({
    ...cell,
    status,
    reasons: reasons.map(maskReason),
    title: scenario?.title ?? cell.scenario,
    tags: scenario ? [...scenario.tags] : [],
    durationMs: Math.round(performance.now() - started),
    finishedAt: new Date().toISOString(),
    ...(evidence && { evidence }),
    seed: options.seed,
  });
  let scenario: Scenario;
  let build: FirmwareBuild;
  let version: HostVersion | GatewayVersion;
  const hostRef = `${cell.host}@${cell.version}`;
  try {
    scenario = catalogue.suites.scenario(`${cell.suite}/${cell.scenario}`);
    build = catalogue.firmware.get(cell.firmware);
    version = catalogue.hosts.resolve(hostRef);
    if (build.protocol.family !== version.kind) {
      // The planner never pairs them; a hand-made cell that does gets told why, not a confusing failure.
      const host = version.kind === 'rest' ? 'a REST gateway' : 'an ISO 8583 host';
      throw new Error(
        `${build.id} speaks ${build.protocol.family}; host ${hostRef} is ${host}: they cannot meet`,
      );
    }
  } catch (err) {
    return result('error', [{ kind: 'harness', message: (err as Error).message }]);
  }

  const play = new CellPlay(cell, scenario, build, version, catalogue, options);
  const stop = new AbortController();
  const timer = setTimeout(() => {
    stop.abort(
      new CellStop({
        kind: 'timeout',
        message: `cell cut off after ${options.timeoutMs} ms${play.current ? ` during step ${play.current}` : ''}`,
        ...(play.currentIndex !== undefined && { step: play.currentIndex }),
      }),
    );
  }, options.timeoutMs);
  const onAbort = () => stop.abort(new CellStop({ kind: 'harness', message: 'the run was cancelled' }));
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });

  const failures: Reason[] = [];
  try {
    await untilAborted(play.run(stop.signal), stop.signal);
  } catch (err) {
    failures.push(err instanceof CellStop ? err.reason : { kind: 'harness', message: describeError(err) });
    if (stop.signal.aborted) await withGrace(play.cancel());
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    failures.push(...(await play.close()));
  }

  try {
    const observation = play.observe();
    const judged = evaluate(scenario, observation);
    const evidence = buildEvidence(
      play.steps,
      play.journal(),
      play.events,
      catalogue.cards.list().map((c) => c.pan),
    );
    // A step whose terminal reports a harness error (not a host answer) is the harness's failure,
    // unless the scenario expects status error for it.
    for (const s of play.steps) {
      const expectation = scenario.outcomes.get(s.step.index);
      const wantsError = expectation !== undefined && expectedStatuses(expectation).includes('error');
      if (s.outcome?.status === 'error' && s.outcome.error && !wantsError) {
        failures.push({
          kind: 'harness',
          step: s.step.position,
          message: `step ${describeStep(s.step)}: the terminal failed: ${s.outcome.error.code}: ${s.outcome.error.message}`,
        });
      }
    }
    if (failures.length > 0) {
      // The cell did not run to the end: what it got wrong up to there is context, not a verdict.
      const context = judged.filter((r) => r.kind === 'violation');
      return result('error', [...failures, ...context], scenario, evidence);
    }
    return result(judged.length > 0 ? 'fail' : 'pass', judged, scenario, evidence);
  } catch (err) {
    return result('error', [...failures, { kind: 'harness', message: describeError(err) }], scenario);
  }
}

/** The mutable state of one cell being played. */
class CellPlay {
  readonly steps: ObservedStep[] = [];
  readonly events: TerminalEvent[] = [];
  current: string | undefined;
  currentIndex: number | undefined;
  private readonly hosts = new Map<HostInstanceName, CellHost>();
  private terminal: Terminal | undefined;
  private unsubscribe: (() => void) | undefined;
  /**
   * When each transaction step started: an exchange belongs to the last step that started before it
   * arrived (by arrival time, because the journal records an exchange only after its answer left,
   * which may be after the terminal moved on), never to one that started after it was recorded.
   */
  private readonly stepStarts: StepStart[] = [];
  private readonly terminalId: string;
  private closed = false;

  constructor(
    readonly cell: Cell,
    readonly scenario: Scenario,
    readonly build: FirmwareBuild,
    readonly version: HostVersion | GatewayVersion,
    readonly catalogue: Catalogue,
    readonly options: CellRunOptions,
  ) {
    this.terminalId = build.terminal?.terminalId ?? DEFAULT_TERMINAL_ID;
  }

  async run(signal: AbortSignal): Promise<void> {
    const { scenario, options } = this;
    const side = cellHosts(this.version, {
      seed: options.seed,
      timeScale: options.timeScale,
      cards: this.catalogue.cards,
    });
    const instances: HostInstanceName[] = scenario.given.backup ? ['primary', 'backup'] : ['primary'];
    for (const instance of instances) {
      const host = await side.start(instance, scenario.given.faults);
      if (this.closed) {
        await host.close(); // cut off while it started: close() has already run
        return;
      }
      this.hosts.set(instance, host);
    }
    // ISO hosts only: a gateway has no sign-on, so given.signedOn means nothing to it.
    if (scenario.given.signedOn) side.signOn(this.terminalId);

    const terminal = await this.catalogue.createTerminal(this.build);
    if (this.closed) {
      await terminal.close();
      return;
    }
    this.terminal = terminal;
    this.unsubscribe = this.terminal.onEvent((e) => {
      if (this.events.length < MAX_EVENTS) this.events.push(e);
    });
    const primary = this.hosts.get('primary')!;
    const backup = this.hosts.get('backup');
    await this.terminal.configure({
      primary: primary.endpoint,
      ...(backup && { backup: backup.endpoint }),
      terminalId: this.terminalId,
      ...(this.build.terminal?.merchantId && { merchantId: this.build.terminal.merchantId }),
      ...side.credentials(this.terminalId),
      timeScale: options.timeScale,
      seed: options.seed,
    });

    for (const step of scenario.steps) {
      if (signal.aborted || this.closed) return;
      switch (step.kind) {
        case 'wait':
          await sleep(step.ms * options.timeScale, signal);
          break;
        case 'host':
          await this.host(step.on).setDown(step.action === 'down');
          break;
        case 'fault':
          this.host(step.fault.on ?? 'primary').addFault(step.fault, `when[${step.index}].fault`);
          break;
        case 'unfault':
          if (!this.host(step.on).removeFault(step.id)) {
            throw new CellStop({
              kind: 'harness',
              message: `when[${step.index}]: no active fault "${step.id}" to remove`,
            });
          }
          break;
        case 'transaction':
          await this.transaction(step);
          break;
      }
    }
  }

  private host(instance: HostInstanceName): CellHost {
    const host = this.hosts.get(instance);
    if (!host) throw new CellStop({ kind: 'harness', message: `the cell has no ${instance} host` });
    return host;
  }

  private async transaction(step: TransactionStep): Promise<void> {
    const request = this.request(step);
    const observed: ObservedStep = { step, request };
    this.steps.push(observed);
    this.current = describeStep(step);
    this.currentIndex = step.position;
    const recorded = new Map([...this.hosts].map(([i, h]) => [i, h.entries().at(-1)?.seq ?? 0] as const));
    this.stepStarts.push({ position: step.position, at: Date.now(), recorded });
    try {
      observed.outcome = await this.terminal!.run(request);
    } catch (err) {
      throw new CellStop(
        {
          kind: 'harness',
          step: step.position,
          message: `step ${this.current}: the terminal failed: ${describeError(err)}`,
        },
        err,
      );
    }
    this.current = undefined;
    this.currentIndex = undefined;
  }

  private request(step: TransactionStep): TransactionRequest {
    const choice = step.card ?? (CARD_ACTIONS.has(step.type) ? this.scenario.given.card : undefined);
    const original = step.original === undefined ? undefined : this.outcomeOf(step.original)?.reference;
    return {
      type: step.type,
      ...(step.amountMinor !== undefined && { amount: step.amountMinor }),
      ...(step.currency && { currency: step.currency }),
      ...(choice !== undefined && { card: this.card(choice) }),
      ...(original && { original }),
      ...(step.timeoutMs !== undefined && { timeoutMs: step.timeoutMs }),
    };
  }

  private outcomeOf(index: number): TransactionOutcome | undefined {
    return this.steps.find((s) => s.step.index === index)?.outcome;
  }

  private card(choice: CardChoice): CardInput {
    const name = typeof choice === 'string' ? choice : choice.name;
    const card = this.catalogue.cards.get(name);
    const pin = typeof choice === 'string' ? undefined : choice.pin;
    const entry = typeof choice === 'string' ? undefined : choice.entry;
    return {
      name: card.id,
      pan: card.pan,
      expiry: card.expiry,
      serviceCode: card.serviceCode,
      entryMode: entry ?? (card.technology === 'magstripe' ? 'magstripe' : 'chip'),
      ...(pin === true && { pin: card.pin }),
      ...(typeof pin === 'string' && { pin }),
    };
  }

  /** Aborts the outstanding transaction of a cell that was cut off. */
  async cancel(): Promise<void> {
    await this.terminal?.cancel();
  }

  /** Closes the terminal, then the hosts; each may take CLOSE_GRACE_MS. Returns what failed. */
  async close(): Promise<Reason[]> {
    this.closed = true;
    const problems: Reason[] = [];
    this.unsubscribe?.();
    if (this.terminal) {
      const r = await withGrace(this.terminal.close());
      if (r) problems.push({ kind: 'harness', message: `closing the terminal: ${r}` });
    }
    // A request the terminal wrote just before it finished (it took a stale answer and moved on) is
    // in the host's socket buffer: two turns of the event loop let the host read it into its journal.
    if (this.hosts.size > 0) for (let i = 0; i < 2; i++) await new Promise((r) => setImmediate(r));
    for (const [instance, host] of this.hosts) {
      const r = await withGrace(host.close());
      if (r) problems.push({ kind: 'harness', message: `closing the ${instance} host: ${r}` });
    }
    return problems;
  }

  /** Primary first, each in arrival order. */
  journal(): Exchange[] {
    return [...this.hosts.values()].flatMap((h) => h.entries());
  }

  observe(): CellObservation {
    const version = this.version;
    const journals = [...this.hosts].map(([instance, h]) => ({ instance, exchanges: h.entries() }));
    const starts = this.stepStarts;
    const iso = version.kind === 'iso8583' ? version : undefined;
    const messages = hostMessages(journals, iso, (exchange, instance) =>
      stepOfExchange(starts, exchange, instance),
    );
    if (version.kind === 'iso8583') return { hostRef: version.ref, version, messages, steps: this.steps };
    const restMessages = withRestKinds(
      messages,
      version,
      (position) => this.steps.find((s) => s.step.position === position)?.request.type,
    );
    // A payment belongs to the step of the first answer that named it (sent or swallowed by a fault);
    // one no answer named (none recorded yet) to the step running when the gateway made it.
    const namedIn = new Map<string, number | undefined>();
    for (const msg of restMessages)
      if (msg.paymentId !== undefined && !namedIn.has(msg.paymentId)) namedIn.set(msg.paymentId, msg.step);
    const payments = [...this.hosts].flatMap(([instance, h]) =>
      (h.payments?.() ?? []).map((p) => {
        const step = namedIn.has(p.id) ? namedIn.get(p.id) : stepAtTime(starts, p.createdMs);
        return { ...p, instance, ...(step !== undefined && { step }) };
      }),
    );
    return {
      hostRef: version.ref,
      messages: restMessages,
      steps: this.steps,
      rest: { gateway: version, payments },
    };
  }
}

function expectedStatuses(expectation: OutcomeExpectation): string[] {
  if (typeof expectation === 'string') return [expectation];
  return expectation.status === undefined ? [] : [expectation.status].flat();
}

function describeError(err: unknown): string {
  // A reason is one line: an emulator's stderr tail gives its last line, which usually says why.
  if (err instanceof ProcessTerminalError) {
    const last = err.stderr?.trimEnd().split('\n').at(-1);
    return `${err.code}: ${err.reason}${last ? ` (emulator stderr: ${last.trim()})` : ''}`;
  }
  return err instanceof Error ? err.message : String(err);
}

/** Resolves with the promise, or rejects with the signal's reason when it aborts first. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  promise.catch(() => {}); // a late rejection after the abort must not go unhandled
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** Waits for a cleanup at most CLOSE_GRACE_MS; returns what went wrong, if anything. */
async function withGrace(promise: Promise<unknown>): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`did not finish within ${CLOSE_GRACE_MS} ms`), CLOSE_GRACE_MS);
  });
  try {
    return await Promise.race([promise.then(() => undefined), late]);
  } catch (err) {
    return describeError(err);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
