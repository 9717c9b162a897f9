// Codec throughput: for each shipped dialect, a realistic 0200 and its 0210 (1200/1210 for the
// 1993 dialect), timed as unpack-0200, pack-0210 and a host's turn, unpack-0200 + pack-0210 (the
// headline; building the response is left out, it is not codec work). The iso_8583 npm package
// does the same on the very same 1987 ASCII bytes, in rounds alternating with ours.
// Run: npm run bench:codec. Knobs (env): BENCH_ROUND_MS (500), BENCH_ROUNDS (5), BENCH_WARMUP_MS (300).
// Messages are unframed (dialect.pack/unpack): framing and MAC computation are not timed.
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import Iso8583 from 'iso_8583';
import {
  type Dialect,
  type FieldValue,
  type IsoMessage,
  loadDialects,
} from '../src/protocols/iso8583/index.js';

const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 300);
const TARGET = 10;
const ASCII = 'iso8583-1987-ascii';

// ---- messages -------------------------------------------------------------------------------

type Fields = Record<string, FieldValue>;

const EMV_REQUEST = [
  { tag: '82', value: '1C00' },
  { tag: '84', value: 'A0000000031010' },
  { tag: '95', value: '0000008000' },
  { tag: '9A', value: '240612' },
  { tag: '9C', value: '00' },
  { tag: '5F2A', value: '0840' },
  { tag: '9F02', value: '000000012500' },
  { tag: '9F03', value: '000000000000' },
  { tag: '9F09', value: '008C' },
  { tag: '9F10', value: '06010A03A0B800' },
  { tag: '9F1A', value: '0840' },
  { tag: '9F26', value: '8A3F1C2D4E5B6A79' },
  { tag: '9F27', value: '80' },
  { tag: '9F33', value: 'E0F8C8' },
  { tag: '9F34', value: '1E0300' },
  { tag: '9F35', value: '22' },
  { tag: '9F36', value: '0014' },
  { tag: '9F37', value: '5D1A7C33' },
  { tag: '9F41', value: '00004217' },
];
const EMV_RESPONSE = [
  { tag: '91', value: '3A9F0C61B7D2E4F80012' },
  { tag: '8A', value: '3030' },
];

// A placeholder MAC: computing a real one is the MAC module's cost, not the codec's.
const MAC = '0123456789ABCDEF';

interface Case {
  dialect: Dialect;
  request: IsoMessage;
  response: IsoMessage;
  note: string;
}

function cases(dialects: Dialect[]): Case[] {
  const base: Fields = {
    '2': '4761739001010119',
    '3': '000000',
    '4': '000000012500',
    '11': '004217',
    '12': '142530',
    '13': '0612',
    '14': '2712',
    '22': '051',
    '25': '00',
    '35': '4761739001010119=27122011758928889',
    '37': '416314004217',
    '41': 'TERM0001',
    '42': 'MERCHANT0000001',
    '49': '840',
    '52': '7434F67813BAE545',
  };
  const echo = ['2', '3', '4', '11', '12', '13', '37', '41', '42', '49'];
  const approved: Fields = { '38': 'A1B2C3', '39': '00' };
  return dialects.map((dialect) => {
    const req: Fields = { ...base };
    const resp: Fields = { ...approved };
    let mti = ['0200', '0210'];
    let caseEcho = [...echo, '25'];
    let note = '0200/0210';
    if (dialect.id !== ASCII) {
      // iso_8583 cannot carry raw EMV bytes, so only the binary dialects get DE55.
      // BCD track 2 carries the separator as the nibble D, and decodes it as 'D'.
      req['35'] = (req['35'] as string).replace('=', 'D');
      req['55'] = EMV_REQUEST;
      resp['55'] = EMV_RESPONSE;
      note += ', DE55 EMV';
    }
    if (dialect.id === 'iso8583-1993-binary') {
      // 1993: MTIs 1xxx, DE12 date+time, DE22 a 12-char POS data code, DE24 function code
      // instead of a POS condition code (1993 DE25 is a message reason code), DE39 n3.
      mti = ['1200', '1210'];
      req['12'] = '240612142530';
      delete req['13'];
      req['22'] = 'A10101511344';
      req['24'] = '200';
      delete req['25'];
      resp['39'] = '000';
      caseEcho = echo.filter((id) => id !== '13');
      note = '1200/1210 (1993 MTIs), DE55 EMV';
    }
    if (dialect.id === 'cup-pos') {
      req['2'] = '6222021234567890123';
      req['35'] = '6222021234567890123D27122201234567890';
      req['49'] = '156';
      req['60'] = { '1': '22', '2': '000001', '3': '000', '4': '5', '5': '0' };
      caseEcho.push('60');
      note += ', DE60 subfields';
    }
    req['64'] = MAC;
    resp['64'] = MAC;
    const request: IsoMessage = { mti: mti[0]!, fields: req };
    const response: IsoMessage = { mti: mti[1]!, fields: responseFields(req, caseEcho, resp) };
    if (dialect.id === ASCII) {
      // iso_8583 always writes and reads a secondary bitmap: with an empty one on both messages,
      // both codecs handle the very same bytes.
      request.bitmaps = 2;
      response.bitmaps = 2;
      note += ', empty secondary bitmap';
    }
    return { dialect, request, response, note };
  });
}

/** The host's response: request fields it echoes plus its own (pack orders fields by number). */
function responseFields(req: Fields, echo: string[], own: Fields): Fields {
  const out: Fields = { ...own };
  for (const id of echo) out[id] = req[id]!;
  return out;
}

// ---- iso_8583 setup -------------------------------------------------------------------------

// Closest iso_8583 can get to our 1987 ASCII wire: bitmap as ASCII hex (its default is raw bytes),
// DE52 and DE64 as 16 hex characters (its defaults are raw bytes, and only 4 bytes for DE64).
const ISO_FORMATS: Iso8583.Formats = {
  '1': { ContentType: 'an', Label: 'Bitmap', LenType: 'fixed', MaxLen: 32 },
  '52': { ContentType: 'an', Label: 'PIN data', LenType: 'fixed', MaxLen: 16 },
  '64': { ContentType: 'an', Label: 'MAC', LenType: 'fixed', MaxLen: 16 },
};
const ISO_VERSION = (createRequire(import.meta.url)('iso_8583/package.json') as { version: string }).version;
const ISO_UNPACK: Iso8583.UnpackConfig = { lenHeader: false, bitmapEncoding: 'utf8' };

function isoJson(msg: IsoMessage): Iso8583.IsoJson {
  const out: Iso8583.IsoJson = { '0': msg.mti };
  for (const [id, v] of Object.entries(msg.fields)) {
    if (typeof v !== 'string') throw new Error(`DE${id}: iso_8583 only takes strings`);
    out[id] = v;
  }
  return out;
}

function isoPack(json: Iso8583.IsoJson): Buffer {
  const out = new Iso8583(json, ISO_FORMATS).getRawMessage();
  if (!Buffer.isBuffer(out)) throw new Error(`iso_8583 pack: ${out.error}`);
  return out;
}

function isoUnpack(bytes: Buffer): Iso8583.IsoJson {
  const out = new Iso8583(undefined, ISO_FORMATS).getIsoJSON(bytes, ISO_UNPACK) as Iso8583.IsoJson;
  if (out['0'] === undefined) throw new Error(`iso_8583 unpack: ${out.error}`);
  return out;
}

// ---- timing ---------------------------------------------------------------------------------

let sink = 0;
const BATCH = 32;

/** Ops/s of one round of about `ms` milliseconds. */
function round(fn: () => number, ms: number): number {
  const budget = BigInt(Math.round(ms * 1e6));
  const start = process.hrtime.bigint();
  let n = 0;
  let elapsed = 0n;
  do {
    for (let i = 0; i < BATCH; i++) sink += fn();
    n += BATCH;
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < budget);
  return n / (Number(elapsed) / 1e9);
}

/**
 * Median ops/s of each function. Rounds alternate between the functions, so background load on a
 * shared machine hits all of them alike and their ratio stays meaningful.
 */
function measure(...fns: (() => number)[]): number[] {
  for (const fn of fns) round(fn, WARMUP_MS);
  const rates = fns.map((): number[] => []);
  for (let i = 0; i < ROUNDS; i++) {
    for (let j = 0; j < fns.length; j++) rates[j]!.push(round(fns[j]!, ROUND_MS));
  }
  return rates.map((r) => r.sort((a, b) => a - b)[r.length >> 1]!);
}

// ---- run ------------------------------------------------------------------------------------

function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(`bench setup: ${what}`);
}

interface Row {
  dialect: string;
  op: string;
  rate: number;
}

function main(): void {
  const reg = loadDialects();
  const all = cases(reg.list());
  const rows: Row[] = [];
  const started = process.hrtime.bigint();

  console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cpus)`);
  console.log(
    `${ROUNDS} rounds of ${ROUND_MS} ms after ${WARMUP_MS} ms warm-up; median msgs/s; strict unpack`,
  );
  console.log('');

  const ops = (d: Dialect, request: Buffer, response: IsoMessage) => ({
    'unpack-0200': () => d.unpack(request).mti.length,
    'pack-0210': () => d.pack(response).length,
    'unpack-0200 + pack-0210': () => d.unpack(request).mti.length + d.pack(response).length,
  });
  type Op = keyof ReturnType<typeof ops>;
  const prepared = all.map((c) => {
    const d = c.dialect;
    const request = d.pack(c.request);
    // The request must decode back to itself, or the bench would time an error path.
    check(JSON.stringify(d.unpack(request)) === JSON.stringify(c.request), `${d.id} request round-trip`);
    console.log(
      `${d.id}: ${c.note}; request ${request.length} B, response ${d.pack(c.response).length} B (unframed)`,
    );
    return { c, request, fns: ops(d, request, c.response) };
  });

  // iso_8583 on the same 1987 ASCII messages: the bytes must be identical to ours (checked here).
  const ascii = prepared.find((p) => p.c.dialect.id === ASCII)!;
  const isoReq = isoJson(ascii.c.request);
  const isoRequest = isoPack(isoReq);
  check(isoRequest.equals(ascii.request), 'iso_8583 request bytes = ours');
  const isoResp = isoJson(ascii.c.response);
  check(isoPack(isoResp).equals(ascii.c.dialect.pack(ascii.c.response)), 'iso_8583 response bytes = ours');
  check(JSON.stringify(isoUnpack(isoRequest)) === JSON.stringify(isoReq), 'iso_8583 request round-trip');
  console.log(
    `iso_8583 ${ISO_VERSION}: the same ${ASCII} bytes; it needs field 1, DE52 and DE64 declared as ` +
      'text (its defaults are raw bytes, and a 4-byte DE64)',
  );
  const isoFns: Record<Op, () => number> = {
    'unpack-0200': () => isoUnpack(isoRequest)['0']!.length,
    'pack-0210': () => isoPack(isoResp).length,
    'unpack-0200 + pack-0210': () => isoUnpack(isoRequest)['0']!.length + isoPack(isoResp).length,
  };
  const ISO = 'iso_8583 (1987 ASCII)';

  // The headline first, ours and iso_8583 in alternating rounds; then the other dialects.
  const measured = new Map<string, number>();
  const key = (dialect: string, op: string) => `${dialect}|${op}`;
  for (const op of Object.keys(isoFns) as Op[]) {
    const [ours, theirs] = measure(ascii.fns[op], isoFns[op]);
    measured.set(key(ASCII, op), ours!);
    measured.set(key(ISO, op), theirs!);
  }
  for (const p of prepared) {
    if (p === ascii) continue;
    for (const op of Object.keys(p.fns) as Op[])
      measured.set(key(p.c.dialect.id, op), measure(p.fns[op])[0]!);
  }
  for (const dialect of [...prepared.map((p) => p.c.dialect.id), ISO]) {
    for (const op of Object.keys(isoFns)) rows.push({ dialect, op, rate: measured.get(key(dialect, op))! });
  }

  const isoRate = (op: string) => rows.find((r) => r.dialect === ISO && r.op === op)!.rate;
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const table = rows.map((r) => ({
    dialect: r.dialect,
    op: r.op,
    'msgs/s': fmt(r.rate),
    'ours/iso_8583': r.dialect === ASCII ? `${(r.rate / isoRate(r.op)).toFixed(1)}x` : '',
  }));
  const widths = Object.keys(table[0]!).map((k) =>
    Math.max(k.length, ...table.map((t) => t[k as keyof (typeof table)[0]].length)),
  );
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 2 || i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  console.log('');
  console.log(line(Object.keys(table[0]!)));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const t of table) console.log(line(Object.values(t)));

  const headline = rows.find((r) => r.dialect === ASCII && r.op === 'unpack-0200 + pack-0210')!.rate;
  const ratio = headline / isoRate('unpack-0200 + pack-0210');
  // Results feed a sink so no call can be optimised away; a zero sum would mean no work was done.
  if (sink === 0) throw new Error('bench measured no work');
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  console.log('');
  console.log(
    `headline ${ASCII} unpack-0200 + pack-0210: ${fmt(headline)} msgs/s = ${ratio.toFixed(1)}x iso_8583 ` +
      `(target >= ${TARGET}x: ${ratio >= TARGET ? 'met' : 'NOT met'}); ${secs.toFixed(1)} s`,
  );
}

main();
