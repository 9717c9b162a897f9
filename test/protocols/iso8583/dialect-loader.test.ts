import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataFileError } from '../../../src/data/data-file-error.js';
import { builtinDialectsDir, loadDialects, maskMessage } from '../../../src/protocols/iso8583/index.js';
import { tempDir } from '../../support/temp-dir.js';

function folder(files: Record<string, string>): string {
  const dir = tempDir('pm-dialects-');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function loadError(files: Record<string, string>): DataFileError {
  const dir = folder(files);
  try {
    loadDialects([builtinDialectsDir(), dir]);
  } catch (err) {
    expect(err).toBeInstanceOf(DataFileError);
    return err as DataFileError;
  }
  throw new Error('expected the dialect folder to be refused');
}

const head = 'title: t\nmti: { enc: ascii }\nbitmap: { enc: hex }\n';

describe('shipped dialects', () => {
  it('loads the four required dialects, with their lineage', () => {
    const reg = loadDialects();
    const ids = reg.list().map((d) => d.id);
    expect(ids).toEqual(
      expect.arrayContaining(['iso8583-1987-ascii', 'iso8583-1987-binary', 'iso8583-1993-binary', 'cup-pos']),
    );
    expect(reg.get('cup-pos').lineage).toEqual(['iso8583-1987-binary']);
    expect(reg.get('cup-pos').framing).toMatchObject({ length: 'binary2', tpdu: true, headerLength: 6 });
    expect(reg.get('iso8583-1993-binary').field(39)?.format).toBe('n3');
    expect(reg.get('iso8583-1987-binary').field(39)?.format).toBe('an2');
    // null removes an inherited field
    expect(reg.get('iso8583-1993-binary').field(90)).toBeUndefined();
  });

  it('keeps dialect names out of the codec: no shipped id appears in src/protocols/iso8583', async () => {
    const { readdirSync, readFileSync, statSync } = await import('node:fs');
    const root = join(builtinDialectsDir(), '../../src/protocols/iso8583');
    const ids = loadDialects()
      .list()
      .map((d) => d.id);
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((n) =>
        statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)],
      );
    for (const file of walk(root)) {
      const text = readFileSync(file, 'utf8');
      for (const id of ids) expect(text.includes(`'${id}'`), `${file} mentions ${id}`).toBe(false);
    }
  });
});

describe('bad dialect files name the file, the path and the problem', () => {
  it('unknown property', () => {
    const err = loadError({ 'x.yaml': `id: x\n${head}fields:\n  2: { format: "n..19", colour: red }\n` });
    expect(err.file).toMatch(/x\.yaml$/);
    expect(err.path).toBe('/fields/2');
    expect(err.problem).toBe('unknown property "colour"');
  });

  it('format that is not ISO notation', () => {
    const err = loadError({ 'x.yaml': `id: x\n${head}fields:\n  3: { format: "numeric6" }\n` });
    expect(err.path).toBe('/fields/3/format');
    expect(err.problem).toContain('must match pattern');
  });

  it('encoding from a closed list', () => {
    const err = loadError({ 'x.yaml': `id: x\n${head}fields:\n  3: { format: n6, enc: packed }\n` });
    expect(err.path).toBe('/fields/3/enc');
    expect(err.problem).toContain('"bcd-left"');
  });

  it('encoding that does not fit the content type, blamed on the file that defines the field', () => {
    const err = loadError({
      'base.yaml': `id: base\n${head}fields:\n  43: { format: ans40, enc: bcd }\n`,
      'child.yaml': 'id: child\ntitle: c\nextends: base\nfields:\n  3: { format: n6 }\n',
    });
    expect(err.file).toMatch(/base\.yaml$/);
    expect(err.path).toBe('/fields/43');
    expect(err.problem).toContain('encoding bcd needs content type n, z or x+n');
  });

  it('a misspelt dialect id gets a suggestion; one near none lists them only', () => {
    const registry = loadDialects();
    expect(() => registry.get('iso8583-1987-asci')).toThrow(
      /^unknown dialect "iso8583-1987-asci" \(did you mean "iso8583-1987-ascii"\?\) \(known: cup-pos, /,
    );
    expect(() => registry.get('visa-base1')).toThrow(/^unknown dialect "visa-base1" \(known: cup-pos, /);
  });

  it('unknown parent and cycles', () => {
    expect(loadError({ 'x.yaml': `id: x\n${head}extends: nope\nfields: {}\n` }).problem).toMatch(
      /unknown dialect "nope" \(known: .*cup-pos/,
    );
    const cycle = loadError({
      'a.yaml': 'id: a\ntitle: a\nextends: b\nfields: {}\n',
      'b.yaml': 'id: b\ntitle: b\nextends: a\nfields: {}\n',
    });
    expect(cycle.path).toBe('/extends');
    expect(cycle.problem).toMatch(/cycle: (a -> b -> a|b -> a -> b)/);
  });

  it('id that does not match the file name, broken YAML, missing title', () => {
    expect(loadError({ 'x.yaml': `id: y\n${head}fields: {}\n` }).problem).toContain('file is named x.yaml');
    expect(loadError({ 'x.yaml': 'id: x\ntitle: [unclosed\n' }).problem).toMatch(/invalid YAML \(line \d+/);
    expect(loadError({ 'x.yaml': 'id: x\nfields: {}\n' }).problem).toBe('missing property "title"');
  });

  it('a field number outside 2..192', () => {
    const err = loadError({ 'x.yaml': `id: x\n${head}fields:\n  1: { format: b8 }\n` });
    expect(err.path).toMatch(/^\/fields/);
  });

  it('a later folder replaces a built-in dialect with the same id', () => {
    const dir = folder({
      'cup-pos.yaml': 'id: cup-pos\ntitle: my CUP\nextends: iso8583-1987-binary\nfields: {}\n',
    });
    expect(loadDialects([builtinDialectsDir(), dir]).get('cup-pos').title).toBe('my CUP');
  });
});

describe('card data stays masked in a dialect that forgets to say so', () => {
  const PAN = '4111111111111111';
  const sale = {
    mti: '0200',
    fields: { '2': PAN, '35': `${PAN}=3012`, '52': '0123456789ABCDEF', '4': '000000001000' },
  };

  it('DE2, 34, 35, 36, 45, 52 and 96 are masked unless the dialect says mask: none', () => {
    const dir = folder({
      // A bank's dialect that redefines the card fields (as real ones do, for a new encoding) and
      // copies the lines from its spec sheet, without a mask.
      'my-bank.yaml':
        'id: my-bank\ntitle: my bank\nextends: iso8583-1987-ascii\nfields:\n' +
        '  2: { format: "n..19", name: PAN }\n  35: { format: "z..37", name: track 2 }\n' +
        '  52: { format: b8, name: PIN block }\n  4: { format: n12, name: amount }\n',
      'open-bank.yaml':
        'id: open-bank\ntitle: open\nextends: iso8583-1987-ascii\nfields:\n  2: { format: "n..19", mask: none }\n',
    });
    const dialects = loadDialects([builtinDialectsDir(), dir]);
    const mine = dialects.get('my-bank');
    const masked = maskMessage(mine, sale).fields;
    expect(masked['2']).toBe('411111******1111');
    expect(masked['35']).toMatch(/^\[hidden/);
    expect(masked['52']).toMatch(/^\[hidden/);
    expect(masked['4']).toBe('000000001000');
    expect(mine.describe(mine.unpack(mine.pack(sale)))).not.toContain(PAN);
    // Said explicitly: shown.
    expect(maskMessage(dialects.get('open-bank'), sale).fields['2']).toBe(PAN);
  });

  it('a mask value outside pan, hide and none is refused', () => {
    const err = loadError({
      'x.yaml': `id: x\n${head}fields:\n  2: { format: "n..19", mask: partial }\n`,
    });
    expect(err.path).toBe('/fields/2/mask');
  });
});

describe('the 1993 field set', () => {
  it('has the 1993 reconciliation elements, not the 1987 ones: a 1500 with them round-trips', () => {
    const d93 = loadDialects().get('iso8583-1993-binary');
    const d87 = loadDialects().get('iso8583-1987-binary');
    const forms = (d: typeof d93) =>
      [66, 71, 82, 85].map((id) => `${d.field(id)!.name}: ${d.field(id)!.length}`);
    expect(forms(d87)).toEqual([
      'Settlement code: 1',
      'Message number: 4',
      'Credits, processing fee amount: 12',
      'Debits, transaction fee amount: 12',
    ]);
    expect(forms(d93)).toEqual([
      'Amounts, original fees: 204',
      'Message number: 8',
      'Inquiries, reversal number: 10',
      'Fee collections, number: 10',
    ]);
    const msg = {
      mti: '1500',
      fields: {
        '24': '500',
        '71': '00000042',
        '82': '0000000003',
        '85': '0000000001',
        '66': 'D000000000100840',
      },
    };
    expect(d93.unpack(d93.pack(msg))).toEqual(msg);
  });
});
