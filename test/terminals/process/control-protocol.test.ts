// The published JSON Schemas of paymatrix-control/1 are the ones the driver validates with, usable by
// any draft-07 validator; the `process:` section of a build file is checked like every data file;
// pyterm's own unit tests (its codec and DES) pass.

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { DataFileError } from '../../../src/data/data-file-error.js';
import { parseDataText } from '../../../src/data/load-data-file.js';
import { FirmwareFileSchema } from '../../../src/terminals/firmware-schema.js';
import {
  controlProtocolDir,
  controlProtocolSchemaFiles,
} from '../../../src/terminals/process/publish-schemas.js';

describe('published JSON Schemas (docs/control-protocol/)', () => {
  const published = readdirSync(controlProtocolDir()).filter((n) => n.endsWith('.schema.json'));
  const read = (name: string) => JSON.parse(readFileSync(join(controlProtocolDir(), name), 'utf8'));

  it('are up to date with protocol-schema.ts (regenerate: npx tsx src/terminals/process/publish-schemas.ts)', () => {
    const generated = controlProtocolSchemaFiles();
    expect(published.sort()).toEqual([...generated.keys()].sort());
    for (const [name, schema] of generated) expect(read(name), name).toEqual(schema);
  });

  it('validate real messages with a plain draft-07 validator, and refuse broken ones', () => {
    const ajv = new Ajv({ strict: false });
    const check = (name: string, message: unknown) => ajv.validate(read(name), message);
    const hello = {
      jsonrpc: '2.0',
      id: 1,
      method: 'hello',
      params: {
        protocol: 'paymatrix-control/1',
        build: { id: 'pelican-px7-3.2.0', vendor: 'Pelican Devices', model: 'PX-7', version: '3.2.0' },
      },
    };
    expect(check('hello-request.schema.json', hello)).toBe(true);
    expect(
      check('hello-request.schema.json', { ...hello, params: { ...hello.params, protocol: 'x/2' } }),
    ).toBe(false);
    const outcome = {
      jsonrpc: '2.0',
      id: 3,
      result: {
        status: 'declined',
        responseCode: '51',
        detail: 'declined 51 insufficient funds',
        messages: [
          {
            direction: 'sent',
            atMs: 1.5,
            message: {
              summary: '0200 sale 25.51 STAN 000001',
              size: 146,
              iso: { mti: '0200', fields: { 4: '2551' } },
            },
          },
        ],
      },
    };
    expect(check('run-response.schema.json', outcome)).toBe(true);
    expect(check('run-response.schema.json', { ...outcome, result: { ...outcome.result, extra: 1 } })).toBe(
      false,
    );
    const event = {
      jsonrpc: '2.0',
      method: 'event',
      params: { kind: 'reversal-queued', at: '2026-03-14T10:20:31.002Z', detail: 'reversal queued' },
    };
    expect(check('event.schema.json', event)).toBe(true);
    expect(check('event.schema.json', { ...event, params: { ...event.params, kind: 'exploded' } })).toBe(
      false,
    );
  });
});

describe('the process section of a build file', () => {
  const build = (process: string) =>
    [
      'id: b',
      'title: B',
      'vendor: V',
      'model: M',
      'version: "1"',
      'description: d',
      'driver: process',
      'protocol: { family: iso8583, dialect: iso8583-1987-ascii }',
      'capabilities: [sale]',
      `process: ${process}`,
    ].join('\n');
  const problem = (process: string) => {
    try {
      parseDataText('firmware/b.yaml', build(process), FirmwareFileSchema);
    } catch (err) {
      expect(err).toBeInstanceOf(DataFileError);
      return (err as DataFileError).message;
    }
    return 'valid';
  };

  it('accepts a command with cwd, env and timeouts', () => {
    expect(
      problem('{ command: [python3, x.py], cwd: x, env: { A_B: "1" }, timeouts: { startMs: 100 } }'),
    ).toBe('valid');
  });

  it('names the file, the path and the problem', () => {
    expect(problem('{ command: [] }')).toBe(
      'firmware/b.yaml at /process/command: must NOT have fewer than 1 items',
    );
    expect(problem('{ command: "python3 x.py" }')).toBe('firmware/b.yaml at /process/command: must be array');
    expect(problem('{ command: [x], shell: true }')).toBe(
      'firmware/b.yaml at /process: unknown property "shell"',
    );
    expect(problem('{ command: [x], timeouts: { startMs: 0 } }')).toBe(
      'firmware/b.yaml at /process/timeouts/startMs: must be >= 1',
    );
    expect(problem('{ command: [x], env: { "1X": y } }')).toBe(
      'firmware/b.yaml at /process/env: unknown property "1X"',
    );
  });
});

describe('pyterm', () => {
  it("passes its own unit tests (codec round trips, DES vectors, the host's key check values)", () => {
    const dir = resolve('firmware/examples/pyterm');
    const run = spawnSync('python3', ['-m', 'unittest', '-q', 'test_pyterm'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    });
    expect(run.stderr).toMatch(/Ran 6 tests/);
    expect(run.status, run.stderr).toBe(0);
  });
});
