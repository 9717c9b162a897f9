import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp-dir.js';

const root = resolve(import.meta.dirname, '../..');
const sampleHex = join(root, 'protocols/iso8583/samples/cup-pos-sale-0200.hex');
const sampleJson = join(root, 'protocols/iso8583/samples/cup-pos-sale-0200.json');
// By URL, so the loader is found whatever the working directory of the run.
const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;

/** Runs the real CLI entry point (TypeScript through tsx), as a user would. */
function cli(args: string[], input?: string, cwd = root) {
  const r = spawnSync(process.execPath, ['--import', tsx, join(root, 'src/cli/main.ts'), ...args], {
    cwd,
    input,
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('paymatrix CLI', () => {
  it('dialects lists the shipped dialects', () => {
    const r = cli(['dialects', '--json']);
    expect(r.code).toBe(0);
    const ids = (JSON.parse(r.out) as { id: string }[]).map((d) => d.id);
    expect(ids).toEqual(['cup-pos', 'iso8583-1987-ascii', 'iso8583-1987-binary', 'iso8583-1993-binary']);
  });

  it('decode prints the README sample field by field, card data masked', () => {
    const r = cli(['decode', '--dialect', 'cup-pos', `@${sampleHex}`]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('MTI      0200');
    expect(r.out).toContain('620000******0005');
    expect(r.out).toMatch(/60\.1\s+n2\s+Transaction type\s+22/);
    expect(r.out).not.toContain('6200000000000005');
  });

  it('encode reproduces the sample bytes, MAC included, and decode --json reads them back', () => {
    const enc = cli(['encode', '-d', 'cup-pos', '--mac-key', '0123456789ABCDEF', `@${sampleJson}`]);
    expect(enc.code).toBe(0);
    expect(enc.out.trim()).toBe(readFileSync(sampleHex, 'utf8').trim());
    const dec = cli(['decode', '-d', 'cup-pos', '--json', '@-'], enc.out);
    const json = JSON.parse(dec.out) as { tpdu: unknown; message: { fields: Record<string, unknown> } };
    expect(json.tpdu).toEqual({ id: 0x60, destination: '0003', source: '0000' });
    expect(json.message.fields['2']).toBe('620000******0005');
  });

  it('encode --body omits the framing', () => {
    const r = cli(['encode', '-d', 'iso8583-1987-ascii', '--body', '{"mti":"0800","fields":{"70":"301"}}']);
    expect(r.out.trim()).toBe(
      Buffer.from('08008000000000000000' + '0400000000000000' + '301')
        .toString('hex')
        .toUpperCase(),
    );
  });

  it('a malformed message exits 1 with the field path, offset, expected and found', () => {
    const r = cli([
      'decode',
      '-d',
      'iso8583-1987-ascii',
      '--body',
      Buffer.from('02003000000000000000123').toString('hex'),
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toBe('error: DE3 at byte 20: expected 6 bytes of field data, found 3 bytes left\n');
  });

  it('bad usage exits 2: unknown dialect, missing option, non-hex input, bad JSON', () => {
    expect(cli(['decode', '-d', 'nope', '00']).err).toMatch(/unknown dialect "nope"/);
    expect(cli(['decode', '-d', 'nope', '00']).code).toBe(2);
    expect(cli(['decode', '00']).code).toBe(2);
    const typo = cli(['decode', '-d', 'cup-pos', '0200 O0']);
    expect(typo.code).toBe(2);
    expect(typo.err).toBe(
      'error: the message must be hex, or @file: "O" at character 6 is not a hex digit\n',
    );
    expect(cli(['encode', '-d', 'cup-pos', '{nope']).code).toBe(2);
    // V8 would quote the text it could not parse: a card number in it stays out of the error.
    const pan = cli(['encode', '-d', 'cup-pos', '[6200000000000005,]']);
    expect(pan.code).toBe(2);
    expect(pan.err).toBe("error: the message is not JSON: Unexpected token ']'\n");
  });

  it('a workspace dialect that extends a built-in one is picked up, and a bad one is named', () => {
    const ws = tempDir('pm-ws-');
    mkdirSync(join(ws, 'protocols/iso8583'), { recursive: true });
    writeFileSync(
      join(ws, 'protocols/iso8583/my-bank.yaml'),
      'id: my-bank\ntitle: My bank\nextends: iso8583-1987-ascii\nfields:\n  48: { format: "ans...040" }\n',
    );
    expect(cli(['dialects'], undefined, ws).out).toContain('my-bank');
    writeFileSync(
      join(ws, 'protocols/iso8583/broken.yaml'),
      'id: broken\ntitle: b\nfields:\n  3: { format: n6, enc: nope }\n',
    );
    const r = cli(['dialects'], undefined, ws);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/broken\.yaml at \/fields\/3\/enc: must be one of/);
  });
});
