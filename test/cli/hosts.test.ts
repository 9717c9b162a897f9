import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { minimalHostYaml } from '../support/minimal-host.js';
import { tempDir } from '../support/temp-dir.js';

const root = resolve(import.meta.dirname, '../..');
// By URL, so the loader is found whatever the working directory of the run.
const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;

/** Runs the real CLI entry point (TypeScript through tsx), as a user would. */
function cli(args: string[], cwd = root) {
  const r = spawnSync(process.execPath, ['--import', tsx, join(root, 'src/cli/main.ts'), ...args], {
    cwd,
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

interface HostRow {
  id: string;
  title: string;
  file: string;
  versions: {
    version: string;
    ref: string;
    dialect: string;
    extends: string | null;
    summary: string;
    changes: string[];
    messages: string[];
    mac: { algorithm: string; required: string[] } | null;
    tls: { minVersion: string } | null;
  }[];
}

const tinyHost = minimalHostYaml('tiny-bank', 'iso8583-1987-ascii');

describe('paymatrix hosts', () => {
  it('--json lists every host and version with its dialect, parent, summary and changes', () => {
    const r = cli(['hosts', '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.out) as HostRow[];
    expect(rows.map((h) => h.id)).toEqual([
      'harbor-bank',
      'lotus-acquirer',
      'meridian-checkout',
      'nimbus-pay',
    ]);
    const harbor = rows[0]!;
    expect(harbor.versions.map((v) => [v.ref, v.dialect, v.extends])).toEqual([
      ['harbor-bank@2019.4', 'iso8583-1987-ascii', null],
      ['harbor-bank@2022.2', 'iso8583-1987-ascii', '2019.4'],
      ['harbor-bank@2025.1', 'iso8583-1993-binary', null],
    ]);
    expect(harbor.versions[2]!.messages).toContain('1420');
    expect(harbor.versions[2]!.mac).toEqual({
      algorithm: 'x9.19',
      required: ['1100', '1200', '1220', '1420', '1421', '1500'],
    });
    const lotus = rows[1]!;
    expect(lotus.versions.map((v) => v.ref)).toEqual([
      'lotus-acquirer@2021.2',
      'lotus-acquirer@2024.1',
      'lotus-acquirer@2026.1',
      'lotus-acquirer@2027.1',
    ]);
    expect(lotus.versions[1]!.extends).toBe('2021.2');
    expect(lotus.versions.map((v) => v.tls)).toEqual([
      null,
      null,
      { minVersion: 'TLSv1.2', clientCertificate: 'none' },
      { minVersion: 'TLSv1.2', clientCertificate: 'required' },
    ]);
    for (const v of rows.flatMap((h) => h.versions)) {
      expect(v.summary.length).toBeGreaterThan(10);
      expect(v.changes.length).toBeGreaterThan(0);
    }
  });

  it('prints one line per version with its summary', () => {
    const r = cli(['hosts']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^harbor-bank {2}Harbor Bank acquiring host$/m);
    expect(r.out).toMatch(/^ {2}2025\.1 +iso8583-1993-binary +ISO 8583:1993 binary/m);
    expect(r.out).toMatch(/^ {2}2024\.1 +cup-pos +Chip needs DE55.*\(extends 2021\.2\)$/m);
    expect(r.out).toMatch(/^ {2}2027\.1 +cup-pos, TLS 1\.2\+, client cert +Mutual TLS/m);
    // Gateways: the API versions each gateway version serves, the default first.
    expect(r.out).toMatch(/^nimbus-pay {2}Nimbus Pay payment gateway {2}\(REST gateway\)$/m);
    expect(r.out).toMatch(
      /^ {2}2024-06-15 +api 2024-06-15 \(\+2023-10-16\) +Account default 2024-06-15.*\(extends 2023-10-16\)$/m,
    );
    expect(r.out).toMatch(/^ {2}v4 +api v4 +Serves \/v4 only/m);
  });

  it('--json describes each gateway version: API versions served, selection, operations, idempotency', () => {
    const rows = JSON.parse(cli(['hosts', '--json']).out) as Array<{
      id: string;
      kind: string;
      versions: Array<Record<string, unknown>>;
    }>;
    const nimbus = rows.find((h) => h.id === 'nimbus-pay')!;
    expect(nimbus.kind).toBe('rest');
    expect(nimbus.versions.map((v) => [v.ref, v.api, v.serves, v.extends])).toEqual([
      ['nimbus-pay@2023-10-16', 'nimbus-pay@2023-10-16', ['2023-10-16'], null],
      ['nimbus-pay@2024-06-15', 'nimbus-pay@2024-06-15', ['2024-06-15', '2023-10-16'], '2023-10-16'],
    ]);
    expect(nimbus.versions[0]!.selection).toEqual({ header: 'Nimbus-Version' });
    const meridian = rows.find((h) => h.id === 'meridian-checkout')!;
    expect(meridian.versions[1]!.selection).toEqual({ path: true });
    expect(meridian.versions[1]!.operations).toContainEqual({
      action: 'capture',
      operationId: 'captureAuthorisedPayment',
      method: 'POST',
      path: '/v4/payments/{paymentPspReference}/captures',
    });
    expect(meridian.versions[1]!.idempotency).toMatchObject({
      store: '2xx',
      mismatch: 'reject',
      concurrent: 'reject',
    });
  });

  it('adds the workspace hosts, and names a bad workspace file with its JSON path', () => {
    const ws = tempDir('pm-ws-');
    mkdirSync(join(ws, 'mocks/hosts'), { recursive: true });
    const tlsVersion = [
      '  "2.0":',
      '    extends: "1.0"',
      '    summary: the link moves into TLS',
      '    changes: [TLS 1.3 or later only]',
      '    tls: { minVersion: TLSv1.3 }',
      '',
    ].join('\n');
    writeFileSync(join(ws, 'mocks/hosts/tiny-bank.yaml'), tinyHost + tlsVersion);
    const ok = cli(['hosts', '--json', '--workspace', ws], tmpdir());
    expect(ok.code).toBe(0);
    const tiny = (JSON.parse(ok.out) as HostRow[]).at(-1)!;
    expect(tiny.versions.map((v) => v.tls)).toEqual([
      null,
      { minVersion: 'TLSv1.3', clientCertificate: 'none' },
    ]);
    expect((JSON.parse(ok.out) as HostRow[]).map((h) => h.id)).toEqual([
      'harbor-bank',
      'lotus-acquirer',
      'meridian-checkout',
      'nimbus-pay',
      'tiny-bank',
    ]);
    const text = cli(['hosts'], ws).out;
    expect(text).toContain('the smallest host there is');
    expect(text).toMatch(
      /\n {2}2\.0 +iso8583-1987-ascii, TLS 1\.3\+ +the link moves into TLS {2}\(extends 1\.0\)\n/,
    );

    // A gateway version that requires HTTPS shows it too.
    writeFileSync(
      join(ws, 'mocks/hosts/meridian-checkout.yaml'),
      `${readFileSync(join(root, 'mocks/hosts/meridian-checkout.yaml'), 'utf8')}
  v4-mtls:
    extends: v4
    summary: v4 over mutual TLS
    changes: [terminals present a client certificate]
    tls: { clientCertificate: required }
`,
    );
    const gateways = JSON.parse(cli(['hosts', '--json', '--workspace', ws], tmpdir()).out) as HostRow[];
    expect(gateways.find((h) => h.id === 'meridian-checkout')!.versions.map((v) => v.tls)).toEqual([
      null,
      null,
      { minVersion: 'TLSv1.2', clientCertificate: 'required' },
    ]);
    expect(cli(['hosts'], ws).out).toMatch(
      /\n {2}v4-mtls +api v4, TLS 1\.2\+, client cert +v4 over mutual TLS/,
    );

    writeFileSync(join(ws, 'mocks/hosts/tiny-bank.yaml'), tinyHost.replace('iso8583-1987-ascii', 'nope'));
    const bad = cli(['hosts', '-w', ws]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/tiny-bank\.yaml at \/versions\/1\.0\/dialect: unknown dialect "nope" \(known: /);
  });
});
