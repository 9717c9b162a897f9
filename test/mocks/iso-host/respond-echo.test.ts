import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinHostsDir, loadCards, loadHosts } from '../../../src/mocks/hosts/host-loader.js';
import { Ledger } from '../../../src/mocks/iso-host/ledger.js';
import { type HostContext, respond } from '../../../src/mocks/iso-host/processor.js';
import { builtinDialectsDir, loadDialects } from '../../../src/protocols/iso8583/index.js';
import { minimalHostYaml } from '../../support/minimal-host.js';
import { tempDir } from '../../support/temp-dir.js';

describe('the answer to a message no rule covers echoes what its own dialect defines', () => {
  it('a version whose dialect lacks DE41 leaves it out, and does not take it from the others', () => {
    const dir = tempDir('pm-echo-hosts-');
    const dialectDir = tempDir('pm-echo-dialects-');
    writeFileSync(
      join(dialectDir, 'no41.yaml'),
      'id: no41\ntitle: no DE41\nextends: iso8583-1987-ascii\nfields:\n  41: null\n',
    );
    writeFileSync(
      join(dir, 'plain-bank.yaml'),
      minimalHostYaml('plain-bank', 'no41', 'a host on a dialect without DE41'),
    );
    const hosts = loadHosts([builtinHostsDir(), dir], {
      dialects: loadDialects([builtinDialectsDir(), dialectDir]),
    });
    const ctxOf = (ref: string): HostContext => ({
      version: hosts.get(ref),
      cards: loadCards(),
      ledger: new Ledger({}),
      now: () => new Date(Date.UTC(2026, 10, 27)),
      timeScale: 1,
      elapsedMs: () => 0,
    });
    const plain = ctxOf('plain-bank@1.0');
    const harborCtx = ctxOf('harbor-bank@2019.4');
    expect(plain.version.dialect.field(41)).toBeUndefined();
    const request = { mti: '0900', fields: { 3: '000000', 4: '000000001000', 11: '000123', 41: 'TERM0001' } };
    // The version without DE41 answers first: what it works out must not become the others'.
    expect(Object.keys(respond(plain, undefined, request, 'system-error', {}).fields)).toEqual([
      '3',
      '4',
      '11',
      '39',
    ]);
    expect(respond(harborCtx, undefined, request, 'system-error', {}).fields).toMatchObject({
      3: '000000',
      4: '000000001000',
      11: '000123',
      41: 'TERM0001',
    });
  });
});
