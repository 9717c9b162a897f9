import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CellResult, CellStatus, Reason } from '../../../src/matrix/cell.js';
import type { RunManifest } from '../../../src/matrix/run-manifest.js';
import type { Exchange } from '../../../src/mocks/exchange.js';

export interface ResultSpec {
  firmware: string;
  /** `host@version` */
  hv: string;
  scenario: string;
  status: CellStatus;
  suite?: string;
  tags?: string[];
  title?: string;
  reasons?: Reason[];
  evidence?: CellResult['evidence'];
}

/** A cell result as the runner writes it; a non-pass gets one reason unless given its own. */
export function result(spec: ResultSpec): CellResult {
  const at = spec.hv.lastIndexOf('@');
  const suite = spec.suite ?? 'core';
  const reasons: Reason[] =
    spec.reasons ??
    (spec.status === 'pass'
      ? []
      : [
          {
            kind: spec.status === 'n/a' ? 'capability' : spec.status === 'error' ? 'timeout' : 'expectation',
            message: `${spec.scenario} on ${spec.hv}: ${spec.status}`,
          },
        ]);
  return {
    key: `${spec.firmware}|${spec.hv}|${suite}/${spec.scenario}`,
    firmware: spec.firmware,
    host: spec.hv.slice(0, at),
    version: spec.hv.slice(at + 1),
    suite,
    scenario: spec.scenario,
    status: spec.status,
    reasons,
    title: spec.title ?? `${spec.scenario} title`,
    tags: spec.tags ?? [],
    durationMs: 40,
    finishedAt: '2025-06-01T10:00:00.000Z',
    seed: 7,
    ...(spec.evidence ? { evidence: spec.evidence } : {}),
  };
}

/** Writes a run folder (results.jsonl and, unless `manifest: false`, manifest.json) and returns it. */
export function writeRun(
  dir: string,
  results: readonly CellResult[],
  options: { workspace?: string; plan?: string[]; manifest?: false; runId?: string } = {},
): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'results.jsonl'), results.map((r) => `${JSON.stringify(r)}\n`).join(''));
  if (options.manifest !== false) {
    const manifest: RunManifest = {
      format: 'paymatrix-run/1',
      runId: options.runId ?? 'test-run',
      createdAt: '2025-06-01T10:00:00.000Z',
      workspace: options.workspace ?? dir,
      settings: {
        firmware: [],
        hosts: [],
        suites: [],
        seed: 7,
        timeScale: 0.01,
        cellTimeoutMs: 10_000,
        retryFailed: true,
        shard: null,
      },
      plan: { hash: 'test', cells: options.plan ?? results.map((r) => r.key) },
    };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  }
  return dir;
}

/** A decoded ISO 8583 exchange as a host journals it (card data already masked). */
export function isoExchange(
  seq: number,
  stan: string,
  options: { violation?: { path: string; rule: string; message: string }; responseCode?: string } = {},
): Exchange {
  const fields = {
    '2': '476173******0010',
    '3': '000000',
    '4': '000000002500',
    '7': '0601100000',
    '11': stan,
    '12': '100000',
    '13': '0601',
    '22': '051',
    '25': '00',
    '35': '[hidden: 37 chars]',
    '41': 'TERM0001',
    '42': 'MERCHANT0000001',
    '49': '840',
    '55': [
      { tag: '9F26', value: '1A2B3C4D5E6F7081' },
      { tag: '9F27', value: '80' },
    ],
  };
  return {
    seq,
    transport: 'iso8583',
    host: 'bank@1 (primary)',
    connection: 1,
    at: '2025-06-01T10:00:00.100Z',
    request: { summary: `0200 sale 25.00 STAN ${stan}`, size: 140, iso: { mti: '0200', fields } },
    response: {
      summary: `0210 STAN ${stan} code ${options.responseCode ?? '30'}`,
      size: 90,
      iso: {
        mti: '0210',
        fields: { '3': '000000', '11': stan, '39': options.responseCode ?? '30', '41': 'TERM0001' },
      },
    },
    durationMs: 2,
    violations: options.violation ? [options.violation] : [],
    faults: [],
  };
}

/** Evidence of a failed sale: one step, a two- or three-exchange journal, terminal events. */
export function failEvidence(stan: string): NonNullable<CellResult['evidence']> {
  return {
    steps: [
      {
        request: {
          type: 'sale',
          amount: 2500,
          card: { name: 'visa-credit-chip', pan: '476173******0010', expiry: '3012', entryMode: 'chip' },
        },
        outcome: {
          status: 'declined',
          responseCode: '30',
          detail: 'sale declined 30',
          messages: [],
          durationMs: 20,
        },
      },
    ],
    journal: [
      {
        seq: 1,
        transport: 'iso8583',
        host: 'bank@1 (primary)',
        connection: 1,
        at: '2025-06-01T10:00:00.000Z',
        event: { kind: 'connected', detail: '127.0.0.1:40000' },
        violations: [],
        faults: [],
      },
      isoExchange(2, stan, {
        violation: { path: '22', rule: 'format', message: 'DE22 expected an12 POS data code, got n3 "051"' },
      }),
      isoExchange(3, String(Number(stan) + 1).padStart(6, '0'), { responseCode: '00' }),
    ],
    events: [
      { kind: 'connected', at: '2025-06-01T10:00:00.000Z', detail: 'primary 127.0.0.1:40000' },
      { kind: 'sent', at: '2025-06-01T10:00:00.010Z', detail: `0200 sale 25.00 STAN ${stan}` },
      { kind: 'received', at: '2025-06-01T10:00:00.020Z', detail: `0210 STAN ${stan} code 30` },
    ],
  };
}

/**
 * A synthetic run of builds × host versions × scenarios (the 20 × 10 × 40 = 8,000 cells): a
 * deterministic mix of pass (most), fail with full evidence, error, n/a and flaky.
 */
export function syntheticRun(builds: number, hosts: number, scenarios: number): CellResult[] {
  const out: CellResult[] = [];
  let n = 0;
  for (let b = 0; b < builds; b++)
    for (let h = 0; h < hosts; h++)
      for (let s = 0; s < scenarios; s++) {
        n++;
        // Older hosts break newer builds more: a band of failures plus scattered errors and n/a.
        const roll = (b * 7 + h * 13 + s * 31) % 100;
        const status: CellStatus =
          (h + b) % 5 === 0 && roll < 60
            ? 'fail'
            : roll < 1
              ? 'error'
              : roll < 6
                ? 'n/a'
                : roll < 8
                  ? 'flaky'
                  : 'pass';
        const stan = String(n % 999999).padStart(6, '0');
        out.push(
          result({
            firmware: `vendor${b % 4}-model-${String(b).padStart(2, '0')}`,
            hv: `bank${h % 3}@${2019 + h}.1`,
            suite: ['core', 'network', 'input', 'upgrade'][s % 4]!,
            scenario: `scenario-${String(s).padStart(2, '0')}`,
            tags: s % 3 === 0 ? ['critical', 'sale'] : ['sale'],
            status,
            ...(status === 'fail'
              ? {
                  reasons: [
                    {
                      kind: 'violation',
                      message: `host rejected 0200: DE22 expected an12 POS data code, got n3 '051'`,
                      step: 0,
                      expected: 'DE22 an12 POS data code',
                      actual: "DE22 n3 '051'",
                      exchange: 2,
                    },
                  ],
                  evidence: failEvidence(stan),
                }
              : {}),
          }),
        );
      }
  return out;
}
