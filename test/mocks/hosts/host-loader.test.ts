import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { DataFileError } from '../../../src/data/data-file-error.js';
import {
  builtinHostsDir,
  compareVersions,
  type HostVersion,
  loadHosts,
  responseMtiOf,
  workspaceHosts,
} from '../../../src/mocks/hosts/host-loader.js';
import type { Dialect, IsoMessage } from '../../../src/protocols/iso8583/index.js';
import { tempDir } from '../../support/temp-dir.js';

const world = loadHosts();
const versions = world.list().flatMap((h) => h.versions);

/** Every field path a version names, found by walking its data (independent of the loader's own walk). */
function namedFields(spec: unknown): { pointer: string; path: string }[] {
  const out: { pointer: string; path: string }[] = [];
  const walk = (node: unknown, pointer: string, key: string) => {
    if (Array.isArray(node)) {
      if (
        ['mandatory', 'forbidden', 'echo', 'returns'].includes(key) ||
        pointer.endsWith('/duplicates/key')
      ) {
        node.forEach((v, i) => {
          // A duplicate key part may be a slice of a field.
          const path = typeof v === 'object' && v !== null ? (v as { field: string }).field : String(v);
          out.push({ pointer: `${pointer}/${i}`, path });
        });
      } else {
        node.forEach((v, i) => {
          walk(v, `${pointer}/${i}`, String(i));
        });
      }
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    for (const [k, v] of Object.entries(node)) {
      const at = `${pointer}/${k}`;
      if (k === 'field' && typeof v === 'string') out.push({ pointer: at, path: v });
      // A batch upload record's part names the original's element.
      else if (k === 'original' && pointer.includes('/batchUpload/record/match/'))
        out.push({ pointer: at, path: String(v) });
      else if (k === 'when' || k === 'originalMatch' || (k === 'match' && !Array.isArray(v))) {
        for (const [p, orig] of Object.entries(v as object)) {
          out.push({ pointer: `${at}/${p}`, path: p });
          if (k !== 'when' && orig !== 'mti') out.push({ pointer: `${at}/${p}`, path: String(orig) });
        }
      } else walk(v, at, k);
    }
  };
  walk(spec, '', '');
  return out;
}

function existsIn(dialect: Dialect, path: string): boolean {
  const [head, ...rest] = path.split('.');
  const field = dialect.field(Number(head));
  if (!field) return false;
  if (rest.length === 0) return true;
  const sub = field.subfields;
  if (!sub) return false;
  if (sub.kind === 'ber-tlv' || sub.kind === 'tlv') return true;
  return rest.length === 1 && rest[0]! in sub.fields;
}

function msg(mti: string, fields: IsoMessage['fields']): IsoMessage {
  return { mti, fields };
}

describe('the sample world', () => {
  it('has at least two acquirers with at least two versions each, oldest first', () => {
    const hosts = world.list();
    expect(hosts.map((h) => h.id)).toEqual(['harbor-bank', 'lotus-acquirer']);
    for (const h of hosts) {
      expect(h.versions.length).toBeGreaterThanOrEqual(2);
      const names = h.versions.map((v) => v.version);
      expect([...names].sort(compareVersions)).toEqual(names);
    }
    expect(versions.map((v) => v.ref)).toEqual([
      'harbor-bank@2019.4',
      'harbor-bank@2022.2',
      'harbor-bank@2025.1',
      'lotus-acquirer@2021.2',
      'lotus-acquirer@2024.1',
      'lotus-acquirer@2026.1',
      'lotus-acquirer@2027.1',
    ]);
  });

  it('every version names an existing dialect, and every field it names exists in that dialect', () => {
    for (const v of versions) {
      expect(v.dialect.id).toBe(v.spec.dialect);
      const named = namedFields(v.spec);
      expect(named.length).toBeGreaterThan(20);
      for (const { pointer, path } of named) {
        expect(existsIn(v.dialect, path), `${v.ref} ${pointer}: ${path} in ${v.dialect.id}`).toBe(true);
      }
    }
  });

  it('every version documents itself: a one-line summary and what it changed', () => {
    for (const v of versions) {
      expect(v.spec.summary).not.toMatch(/\n/);
      expect(v.spec.changes.length).toBeGreaterThan(0);
    }
    // Upgrades say what they changed, not what the previous version said.
    const lotus = world.get('lotus-acquirer@2024.1');
    expect(lotus.spec.changes.join(' ')).toMatch(/DE55/);
    expect(lotus.spec.changes).not.toEqual(world.get('lotus-acquirer@2021.2').spec.changes);
  });

  it('response codes fit each dialect: two characters for 1987 and CUP, three-digit action codes for 1993', () => {
    expect(world.get('harbor-bank@2019.4').spec.responseCodes['insufficient-funds']).toBe('51');
    expect(world.get('harbor-bank@2025.1').spec.responseCodes['insufficient-funds']).toBe('116');
    expect(world.get('lotus-acquirer@2021.2').spec.responseCodes['mac-error']).toBe('A0');
    for (const v of versions) {
      const width = v.dialect.field(39)!.length;
      for (const code of Object.values(v.spec.responseCodes)) expect(code).toHaveLength(width);
    }
  });

  it('has the data a server needs for every message family of issue 3', () => {
    const kinds = (v: HostVersion) =>
      new Set(
        Object.values(v.spec.messages).flatMap((r) => [
          ...(r.kind ? [r.kind] : []),
          ...Object.values(r.variants ?? {}).flatMap((x) => (x.kind ? [x.kind] : [])),
        ]),
      );
    const all = new Set(versions.flatMap((v) => [...kinds(v)]));
    for (const k of [
      'sign-on',
      'sign-off',
      'echo',
      'authorization',
      'pre-auth',
      'completion',
      'sale',
      'refund',
      'void',
      'balance',
      'advice',
      'reversal',
      'reversal-repeat',
      'settlement',
      'batch-upload',
    ] as const) {
      expect(all.has(k), k).toBe(true);
    }
    const lotus = world.get('lotus-acquirer@2021.2');
    expect(lotus.spec.keys?.download).toMatchObject({
      field: '62',
      order: ['pik', 'mak'],
      checkValueBytes: 4,
    });
    expect(Object.keys(lotus.spec.keys?.download?.modes?.values ?? {})).toEqual(['001', '003', '004']);
    expect(lotus.spec.settlement?.batchUpload?.end).toEqual({ mti: '0320', when: { '60.3': '202' } });
    expect(world.get('harbor-bank@2019.4').spec.originalData?.field).toBe('90');
    expect(world.get('harbor-bank@2025.1').spec.originalData?.field).toBe('56');
    expect(lotus.spec.originalData?.field).toBe('61');
  });
});

describe('extends', () => {
  const old = world.get('lotus-acquirer@2021.2');
  const next = world.get('lotus-acquirer@2024.1');
  const chipSale = msg('0200', { '3': '000000', '22': '051', '60': { '1': '22', '2': '000001' } });

  it('a 2024.1 rule overrides 2021.2, everything it does not mention is inherited', () => {
    expect(next.lineage).toEqual(['2021.2']);
    expect(old.ruleFor(chipSale)!.conditional.flatMap((c) => c.mandatory)).not.toContain('55');
    expect(next.ruleFor(chipSale)!.conditional.flatMap((c) => c.mandatory)).toContain('55');
    // Overridden leaf, inherited siblings.
    expect(next.spec.mac?.required).toContain('0500');
    expect(old.spec.mac?.required).not.toContain('0500');
    expect(next.spec.mac?.algorithm).toBe('cup-ecb');
    expect(next.spec.duplicates?.windowSeconds).toBe(120);
    expect(next.spec.duplicates?.key).toEqual(old.spec.duplicates?.key);
    // Untouched sections are the same.
    expect(next.spec.settlement).toEqual(old.spec.settlement);
    expect(next.spec.responseCodes).toEqual(old.spec.responseCodes);
    expect(next.spec.messages['0400']).toEqual(old.spec.messages['0400']);
    expect(next.framing).toEqual(old.framing);
  });

  it('harbor-bank@2022.2 adds to the 2019.4 messages without restating them', () => {
    const v = world.get('harbor-bank@2022.2');
    const sale = msg('0200', { '3': '000000', '22': '051' });
    expect(v.ruleFor(sale)!.forbidden).toEqual(['45']);
    expect(v.ruleFor(sale)!.mandatory).toEqual(world.get('harbor-bank@2019.4').ruleFor(sale)!.mandatory);
    expect(v.spec.mac).toMatchObject({ algorithm: 'x9.19', required: [] });
    expect(world.get('harbor-bank@2019.4').spec.mac).toBeUndefined();
  });

  it('a version without extends starts from scratch', () => {
    const v = world.get('harbor-bank@2025.1');
    expect(v.lineage).toEqual([]);
    expect(Object.keys(v.spec.messages).every((m) => m.startsWith('1'))).toBe(true);
  });
});

describe('ruleFor', () => {
  it('picks the most specific variant and combines message and variant entries', () => {
    const lotus = world.get('lotus-acquirer@2021.2');
    const completion = lotus.ruleFor(msg('0200', { '3': '000000', '60': { '1': '20' } }))!;
    expect(completion).toMatchObject({ variant: 'completion', kind: 'completion', original: 'required' });
    expect(completion.originalMatch).toEqual({ '38': '38', '61.3': '13' });
    expect(completion.mandatory).toEqual(expect.arrayContaining(['3', '11', '41', '4', '38', '61']));
    const balance = lotus.ruleFor(msg('0200', { '3': '310000', '60': { '1': '01' } }))!;
    expect(balance).toMatchObject({
      kind: 'balance',
      forbidden: ['4'],
      returns: expect.arrayContaining(['54']),
    });
    const voidRule = lotus.ruleFor(msg('0200', { '3': '200000', '60': { '1': '23' } }))!;
    expect(voidRule.originalMatch).toEqual(lotus.spec.originalData?.match);
    expect(lotus.ruleFor(msg('0200', { '3': '000000', '60': { '1': '99' } }))).toBeUndefined();
    expect(lotus.ruleFor(msg('0999', {}))).toBeUndefined();

    const harbor = world.get('harbor-bank@2019.4');
    expect(harbor.ruleFor(msg('0100', { '3': '000000', '25': '06' }))!.kind).toBe('pre-auth');
    expect(harbor.ruleFor(msg('0100', { '3': '000000', '25': '00' }))!.kind).toBe('authorization');
    expect(harbor.ruleFor(msg('0401', {}))!).toMatchObject({ kind: 'reversal-repeat', responseMti: '0410' });
  });

  it('applies per-message response codes and pattern conditions (1993)', () => {
    const v = world.get('harbor-bank@2025.1');
    const reversal = v.ruleFor(msg('1420', { '24': '400', '25': '4021' }))!;
    expect(reversal).toMatchObject({ kind: 'reversal', responseMti: '1430', macRequired: true });
    expect(reversal.responseCodes.approved).toBe('400');
    expect(reversal.responseCodes.declined).toBe('100');
    expect(v.ruleFor(msg('1804', { '24': '801' }))!.responseMti).toBe('1814');
    const chip = v.ruleFor(msg('1200', { '3': '000000', '24': '200', '22': 'A1010151134C' }))!;
    expect(chip.conditional.map((c) => c.note)).toEqual(['chip card, contact or contactless']);
  });

  it('derives response MTIs: function + 1, repeat bit cleared', () => {
    expect(responseMtiOf('0200')).toBe('0210');
    expect(responseMtiOf('0221')).toBe('0230');
    expect(responseMtiOf('0421')).toBe('0430');
    expect(responseMtiOf('1804')).toBe('1814');
  });

  it('gives per-terminal keys over the default ones', () => {
    const v = world.get('harbor-bank@2019.4');
    expect(v.keysFor('HB000002').tak).not.toBe(v.keysFor('HB000001').tak);
    expect(v.keysFor('HB000002').tpk).toBe(v.keysFor('HB000001').tpk);
  });
});

describe('host references', () => {
  it('resolves host@version and host@latest', () => {
    expect(world.parseHostRef('harbor-bank@2025.1')).toEqual({ host: 'harbor-bank', version: '2025.1' });
    expect(world.get('lotus-acquirer@latest').version).toBe('2027.1');
    expect(world.has('harbor-bank@1999.1')).toBe(false);
  });

  it('names what is known when a reference is wrong', () => {
    expect(() => world.get('nope@1')).toThrow(
      'unknown host "nope" (known: harbor-bank, lotus-acquirer, meridian-checkout, nimbus-pay)',
    );
    expect(() => world.get('harbr-bank@2019.4')).toThrow(
      'unknown host "harbr-bank" (did you mean "harbor-bank"?) (known: harbor-bank, lotus-acquirer, meridian-checkout, nimbus-pay)',
    );
    expect(() => world.get('harbor-bank@2020.1')).toThrow(
      'unknown version "2020.1" of host harbor-bank (versions: 2019.4, 2022.2, 2025.1)',
    );
    expect(() => world.get('harbor-bank')).toThrow(/must be <host>@<version>/);
  });

  it('compares versions part by part', () => {
    expect(compareVersions('2019.10', '2019.4')).toBe(1);
    expect(compareVersions('2025.1', '2025.1')).toBe(0);
    expect(compareVersions('2025', '2025.1')).toBe(-1);
  });
});

// ── bad files ────────────────────────────────────────────────────────────────────────────────────

const minimal = {
  summary: 'first',
  changes: ['first version'],
  dialect: 'iso8583-1987-ascii',
  signOnRequired: false,
  messages: { '0200': { kind: 'sale', mandatory: [3, 4, 11] } },
  responseCodes: { approved: '00', declined: '05', 'format-error': '30', 'system-error': '96' },
  timeouts: { idleSeconds: 60, incompleteFrameMs: 1000, processingDelayMs: 0 },
  answers: { malformed: 'close', violation: 'format-error', unknownMessage: 'close' },
};

function hostFile(versions: Record<string, unknown>, extra: object = {}): string {
  return stringify({ id: 'tiny-bank', title: 'Tiny', kind: 'iso8583', versions, ...extra });
}

function loadError(text: string, name = 'tiny-bank.yaml'): DataFileError {
  const dir = tempDir('pm-hosts-');
  writeFileSync(join(dir, name), text);
  try {
    loadHosts([dir]);
  } catch (err) {
    expect(err).toBeInstanceOf(DataFileError);
    const e = err as DataFileError;
    expect(e.file).toBe(join(dir, name));
    return e;
  }
  throw new Error('expected the host file to be refused');
}

describe('bad host files name the file, the JSON path and the problem', () => {
  it('loads the minimal valid file used below', () => {
    const dir = tempDir('pm-hosts-');
    writeFileSync(join(dir, 'tiny-bank.yaml'), hostFile({ '1.0': minimal }));
    expect(loadHosts([dir]).get('tiny-bank@1.0').spec.messages['0200']!.mandatory).toEqual(['3', '4', '11']);
  });

  it('unknown dialect', () => {
    const e = loadError(hostFile({ '1.0': { ...minimal, dialect: 'iso8583-2003' } }));
    expect(e.path).toBe('/versions/1.0/dialect');
    expect(e.problem).toMatch(/^unknown dialect "iso8583-2003" \(known: cup-pos, iso8583-1987-ascii/);
  });

  it('an unknown time zone', () => {
    const e = loadError(hostFile({ '1.0': { ...minimal, timeZone: 'Asia/Beijing' } }));
    expect([e.path, e.problem]).toEqual([
      '/versions/1.0/timeZone',
      'unknown time zone "Asia/Beijing" (an IANA zone, e.g. Asia/Shanghai or UTC)',
    ]);
  });

  it('a field the dialect does not have', () => {
    // DE90 does not exist in the 1993 dialect (original data moved to DE56).
    const v = { ...minimal, dialect: 'iso8583-1993-binary', responseCodes: codes93 };
    const e = loadError(
      hostFile({ '1.0': { ...v, messages: { '1420': { kind: 'reversal', mandatory: [11, 90] } } } }),
    );
    expect(e.path).toBe('/versions/1.0/messages/1420/mandatory/1');
    expect(e.problem).toBe('DE90 is not a field of dialect iso8583-1993-binary');
  });

  it('a field format: a field the dialect does not have, and a pattern that is no regular expression', () => {
    const sale = (formats: object) => ({ ...minimal, messages: { '0200': { kind: 'sale', formats } } });
    const unknown = loadError(hostFile({ '1.0': sale({ '199': { pattern: '^1$' } }) }));
    expect([unknown.path, unknown.problem]).toEqual([
      '/versions/1.0/messages/0200/formats/199',
      'DE199 is not a field of dialect iso8583-1987-ascii',
    ]);
    const broken = loadError(hostFile({ '1.0': sale({ '49': { pattern: '^(840' } }) }));
    expect(broken.path).toBe('/versions/1.0/messages/0200/formats/49/pattern');
    expect(broken.problem).toMatch(/^not a valid regular expression: /);
  });

  it('a subfield the dialect does not have', () => {
    const msgs = { '0200': { kind: 'sale', conditional: [{ when: { '60.9': '1' }, mandatory: [55] }] } };
    const e = loadError(hostFile({ '1.0': { ...minimal, dialect: 'cup-pos', messages: msgs } }));
    expect(e.path).toBe('/versions/1.0/messages/0200/conditional/0/when/60.9');
    expect(e.problem).toBe('subfield 60.9 is not a field of dialect cup-pos');
  });

  it('an MTI key that is not 4 digits', () => {
    const e = loadError(hostFile({ '1.0': { ...minimal, messages: { '200': { kind: 'sale' } } } }));
    expect(e.path).toBe('/versions/1.0/messages/200');
    expect(e.problem).toBe('MTI must be 4 digits, e.g. "0200"');
  });

  it('extends to an unknown version', () => {
    const e = loadError(
      hostFile({ '1.0': minimal, '2.0': { extends: '1.5', summary: 's', changes: ['c'] } }),
    );
    expect(e.path).toBe('/versions/2.0/extends');
    expect(e.problem).toBe('unknown version "1.5" of host tiny-bank (versions: 1.0, 2.0)');
  });

  it('extends to a later version', () => {
    const e = loadError(hostFile({ '1.0': { ...minimal, extends: '2.0' }, '2.0': minimal }));
    expect(e.path).toBe('/versions/1.0/extends');
    expect(e.problem).toBe('"2.0" is not earlier than "1.0": a version can only extend an earlier one');
  });

  it('unknown property, also inside an upgrade that lists only its changes', () => {
    let e = loadError(hostFile({ '1.0': { ...minimal, colour: 'red' } }));
    expect(e.path).toBe('/versions/1.0');
    expect(e.problem).toBe('unknown property "colour"');
    e = loadError(
      hostFile({
        '1.0': minimal,
        '2.0': { extends: '1.0', summary: 's', changes: ['c'], timeouts: { idleMinutes: 1 } },
      }),
    );
    expect(e.path).toBe('/versions/2.0/timeouts');
    expect(e.problem).toBe('unknown property "idleMinutes"');
  });

  it('unknown property at the top of the file, and an id that is not the file name', () => {
    let e = loadError(hostFile({ '1.0': minimal }, { owner: 'me' }));
    expect([e.path, e.problem]).toEqual(['/', 'unknown property "owner"']);
    e = loadError(hostFile({ '1.0': minimal }), 'other.yaml');
    expect([e.path, e.problem]).toEqual(['/id', 'is "tiny-bank" but the file is named other.yaml']);
  });

  it('a missing section of a version that extends nothing', () => {
    const { timeouts: _t, ...noTimeouts } = minimal;
    const e = loadError(hostFile({ '1.0': noTimeouts }));
    expect([e.path, e.problem]).toEqual(['/versions/1.0', 'missing property "timeouts"']);
  });

  it('blames the parent when a change breaks an inherited rule', () => {
    const e = loadError(
      hostFile({
        '1.0': { ...minimal, messages: { '0400': { kind: 'reversal', mandatory: [11, 90] } } },
        '2.0': {
          extends: '1.0',
          summary: 's',
          changes: ['move to 1993'],
          dialect: 'iso8583-1993-binary',
          responseCodes: codes93,
        },
      }),
    );
    expect(e.path).toBe('/versions/2.0/messages/0400/mandatory/1');
    expect(e.problem).toBe('DE90 is not a field of dialect iso8583-1993-binary (inherited from 1.0)');
  });

  it('a response code that does not fit DE39, and an outcome without a code', () => {
    let e = loadError(hostFile({ '1.0': { ...minimal, dialect: 'iso8583-1993-binary' } }));
    expect(e.path).toBe('/versions/1.0/responseCodes/approved');
    expect(e.problem).toBe('"00" does not fit DE39 of iso8583-1993-binary (n3)');
    e = loadError(
      hostFile({ '1.0': { ...minimal, answers: { ...minimal.answers, malformed: 'duplicate' } } }),
    );
    expect(e.path).toBe('/versions/1.0/answers/malformed');
    expect(e.problem).toBe('outcome "duplicate" has no code in responseCodes');
  });

  it('a TLS version the host cannot require; a valid tls block is inherited by the next version', () => {
    const e = loadError(hostFile({ '1.0': { ...minimal, tls: { minVersion: 'TLSv1.0' } } }));
    expect(e.path).toBe('/versions/1.0/tls/minVersion');
    expect(e.problem).toMatch(/TLSv1\.2.*TLSv1\.3/);
    const dir = tempDir('pm-hosts-');
    const next = { extends: '1.0', summary: 'second', changes: ['second version'] };
    writeFileSync(
      join(dir, 'tiny-bank.yaml'),
      hostFile({ '1.0': { ...minimal, tls: { minVersion: 'TLSv1.3' } }, '2.0': next }),
    );
    expect(loadHosts([dir]).get('tiny-bank@2.0').spec.tls).toEqual({ minVersion: 'TLSv1.3' });
  });

  it('an unknown outcome or message kind', () => {
    let e = loadError(
      hostFile({ '1.0': { ...minimal, responseCodes: { ...minimal.responseCodes, nope: '99' } } }),
    );
    expect([e.path, e.problem]).toEqual(['/versions/1.0/responseCodes', 'unknown property "nope"']);
    e = loadError(hostFile({ '1.0': { ...minimal, messages: { '0200': { kind: 'purchase' } } } }));
    expect(e.path).toBe('/versions/1.0/messages/0200/kind');
    expect(e.problem).toMatch(/^must be one of "sign-on", /);
  });

  it('a MAC key the terminals do not have, or of the wrong length', () => {
    const mac = { algorithm: 'x9.19', field: 64, key: 'tak', required: ['0200'], signResponses: false };
    const codes = { ...minimal.responseCodes, 'mac-error': '63' };
    let e = loadError(hostFile({ '1.0': { ...minimal, mac, responseCodes: codes } }));
    expect([e.path, e.problem]).toEqual([
      '/versions/1.0/mac/key',
      'needs key tak, but the version has no keys section',
    ]);
    const keys = { default: { tak: '0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF' } };
    e = loadError(hostFile({ '1.0': { ...minimal, mac, keys, responseCodes: codes } }));
    expect(e.path).toBe('/versions/1.0/keys/default/tak');
    expect(e.problem).toBe('is 24 bytes, but /mac/key needs 16 or 8');
  });

  it('a variant without a condition', () => {
    const msgs = { '0200': { variants: { sale: { kind: 'sale' } } } };
    const e = loadError(hostFile({ '1.0': { ...minimal, messages: msgs } }));
    expect(e.path).toBe('/versions/1.0/messages/0200/variants/sale');
    expect(e.problem).toMatch(/needs processingCode or when/);
  });
});

describe('extends in files', () => {
  it('null removes an inherited entry; lists replace; objects merge', () => {
    const dir = tempDir('pm-hosts-');
    const v1 = { ...minimal, messages: { ...minimal.messages, '0800': { kind: 'echo' } } };
    const v2 = {
      extends: '1.0',
      summary: 'drops echo',
      changes: ['0800 is gone', 'DE41 becomes mandatory on 0200'],
      messages: { '0800': null, '0200': { mandatory: [41] } },
      timeouts: { idleSeconds: 5 },
    };
    writeFileSync(join(dir, 'tiny-bank.yaml'), hostFile({ '1.0': v1, '2.0': v2 }));
    const reg = loadHosts([dir]);
    const next = reg.get('tiny-bank@2.0');
    expect(Object.keys(next.spec.messages)).toEqual(['0200']);
    expect(next.spec.messages['0200']).toEqual({ kind: 'sale', mandatory: ['41'] });
    expect(next.spec.timeouts).toEqual({ ...minimal.timeouts, idleSeconds: 5 });
    expect(next.spec.summary).toBe('drops echo');
    expect(Object.keys(reg.get('tiny-bank@1.0').spec.messages)).toEqual(['0200', '0800']);
    expect(Object.isFrozen(next.spec.messages['0200'])).toBe(true);
  });
});

const codes93 = { approved: '000', declined: '100', 'format-error': '904', 'system-error': '909' };

describe('workspace', () => {
  it('adds the workspace hosts, which may name the workspace dialects', () => {
    const ws = tempDir('pm-ws-');
    mkdirSync(join(ws, 'mocks/hosts'), { recursive: true });
    mkdirSync(join(ws, 'protocols/iso8583'), { recursive: true });
    writeFileSync(
      join(ws, 'protocols/iso8583/tiny-87.yaml'),
      'id: tiny-87\ntitle: Tiny 87\nextends: iso8583-1987-ascii\nfields:\n  48: { format: "ans...040" }\n',
    );
    writeFileSync(
      join(ws, 'mocks/hosts/tiny-bank.yaml'),
      hostFile({ '1.0': { ...minimal, dialect: 'tiny-87' } }),
    );
    const reg = workspaceHosts(ws);
    expect(reg.list().map((h) => h.id)).toEqual(['harbor-bank', 'lotus-acquirer', 'tiny-bank']);
    expect(reg.get('tiny-bank@1.0').dialect.id).toBe('tiny-87');
    expect(builtinHostsDir()).toMatch(/mocks[/\\]hosts$/);
  });
});
