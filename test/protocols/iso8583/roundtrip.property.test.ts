import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Dialect,
  type FramedMessage,
  Iso8583Error,
  loadDialects,
} from '../../../src/protocols/iso8583/index.js';
import { arbitraryFramed, arbitraryMessage } from '../../support/arbitrary-message.js';

// Every shipped dialect, so a new dialect file is covered without touching this test.
const dialects = loadDialects().list();

// Replays a failure: FC_SEED=<seed printed by fast-check> npx vitest run <this file>.
if (process.env.FC_SEED) fc.configureGlobal({ seed: Number(process.env.FC_SEED) });

// One slow input would show up here long before it hangs a host (generous for loaded CI machines).
const MAX_MS_PER_INPUT = 500;
// Fuzz runs stop after this long per property, whatever numRuns says.
const FUZZ_TIME_LIMIT_MS = 1500;

/** Asserts the error shape every caller relies on (hosts, CLI, reports); returns the error. */
function expectIso8583Error(err: unknown, input: Uint8Array): Iso8583Error {
  // Plain checks, not expect(): this runs for every cut of every truncated message.
  const where = () => `on input ${Buffer.from(input).toString('hex')}`;
  if (!(err instanceof Iso8583Error)) {
    throw new Error(`threw a non-Iso8583Error ${where()}: ${String(err)}`, { cause: err });
  }
  const { path, offset, expected, found } = err;
  if (typeof path !== 'string') throw new Error(`path ${String(path)} is not a string ${where()}`);
  if (!Number.isInteger(offset) || offset < 0 || offset > input.length) {
    throw new Error(`offset ${offset} outside [0, ${input.length}] ${where()}: ${err.message}`);
  }
  if (typeof expected !== 'string' || !expected || typeof found !== 'string' || !found) {
    throw new Error(`empty expected/found ${where()}: ${err.message}`);
  }
  return err;
}

/** Runs a decode on hostile input: it returns or throws a well-formed Iso8583Error, and quickly. */
function decodeSafely<T>(decode: () => T, input: Uint8Array): { value: T } | { error: Iso8583Error } {
  const started = performance.now();
  let outcome: { value: T } | { error: Iso8583Error };
  try {
    outcome = { value: decode() };
  } catch (err) {
    outcome = { error: expectIso8583Error(err, input) };
  }
  const ms = performance.now() - started;
  if (ms > MAX_MS_PER_INPUT)
    throw new Error(`took ${ms.toFixed(0)} ms on ${Buffer.from(input).toString('hex')}`);
  return outcome;
}

/** The error a decode must throw; fails the property when it returns. */
function decodeError(decode: () => unknown, input: Uint8Array): Iso8583Error {
  const outcome = decodeSafely(decode, input);
  if ('value' in outcome) throw new Error(`accepted ${Buffer.from(input).toString('hex')}`);
  return outcome.error;
}

/** Skips messages too big for the dialect's frame (a handful of ans...999 fields can be). */
function fitsFrame(dialect: Dialect, framed: FramedMessage): boolean {
  const framing = dialect.framing;
  if (!framing) return true;
  // The declared length counts the TPDU (5 bytes) and header only when the dialect says so.
  const around = framing.lengthIncludesHeader ? (framing.tpdu ? 5 : 0) + framing.headerLength : 0;
  return dialect.pack(framed.message).length + around <= framing.maxFrameLength;
}

// Byte-level mutations of a valid message: unlike random bytes they get past the MTI and bitmap,
// so every field decoder sees corrupt prefixes, contents and composites.
type Mutation =
  | { op: 'flip'; at: number; mask: number }
  | { op: 'set'; at: number; byte: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; count: number }
  | { op: 'truncate'; at: number }
  | { op: 'append'; bytes: Uint8Array };

const position = fc.nat({ max: 1 << 16 });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ op: fc.constant('flip'), at: position, mask: fc.integer({ min: 1, max: 255 }) }),
  },
  // Lengths and tags most often break on these values.
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('set'),
      at: position,
      byte: fc.constantFrom(0x00, 0x30, 0x39, 0x7f, 0x80, 0x81, 0x99, 0xff),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('insert'),
      at: position,
      bytes: fc.uint8Array({ minLength: 1, maxLength: 4 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('delete'), at: position, count: fc.integer({ min: 1, max: 4 }) }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('truncate'), at: position }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('append'), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  },
) as fc.Arbitrary<Mutation>;

function mutate(input: Uint8Array, mutations: Mutation[]): Buffer {
  let buf = Buffer.from(input);
  for (const m of mutations) {
    const at = buf.length ? ('at' in m ? m.at % buf.length : 0) : 0;
    switch (m.op) {
      case 'flip':
        if (buf.length) buf[at] = buf[at]! ^ m.mask;
        break;
      case 'set':
        if (buf.length) buf[at] = m.byte;
        break;
      case 'insert':
        buf = Buffer.concat([buf.subarray(0, at), m.bytes, buf.subarray(at)]);
        break;
      case 'delete':
        buf = Buffer.concat([buf.subarray(0, at), buf.subarray(at + m.count)]);
        break;
      case 'truncate':
        buf = buf.subarray(0, at);
        break;
      case 'append':
        buf = Buffer.concat([buf, m.bytes]);
        break;
    }
  }
  return buf;
}

describe.each(dialects.map((d) => [d.id, d] as const))('ISO 8583 dialect %s', (_id, dialect) => {
  const messages = arbitraryMessage(dialect);
  const framed = arbitraryFramed(dialect);
  const framing = dialect.framing;

  it('unpack(pack(m)) equals m, and packing it again gives the same bytes', () => {
    fc.assert(
      fc.property(messages, (m) => {
        const bytes = dialect.pack(m);
        const back = dialect.unpack(bytes, { strict: true });
        expect(back).toEqual(m);
        // toEqual overlooks keys holding undefined: the decoder must not leave any behind.
        expect(Object.keys(back.fields)).toEqual(
          Object.keys(m.fields).filter((k) => m.fields[k] !== undefined),
        );
        expect(dialect.pack(back).equals(bytes)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('unpackFrame(packFrame(f)) equals f (TPDU and header included)', () => {
    fc.assert(
      fc.property(framed, (f) => {
        fc.pre(fitsFrame(dialect, f));
        const bytes = dialect.packFrame(f);
        expect(dialect.unpackFrame(bytes)).toEqual(f);
        expect(dialect.packFrame(dialect.unpackFrame(bytes)).equals(bytes)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('random bytes: returns or throws a well-formed Iso8583Error, never hangs', () => {
    // Random bytes rarely form an MTI or a hex bitmap: half the inputs keep a random-length start
    // of a valid message (MTI, bitmaps, some fields) and continue with random bytes.
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.tuple(messages, fc.nat(), fc.uint8Array({ maxLength: 300 })).map(([m, cut, tail]) => {
        const valid = dialect.pack(m);
        return Buffer.concat([valid.subarray(0, cut % (valid.length + 1)), tail]);
      }),
    );
    fc.assert(
      fc.property(input, fc.boolean(), (bytes, strict) => {
        decodeSafely(() => dialect.unpack(bytes, { strict }), bytes);
        decodeSafely(() => dialect.unpackFrame(bytes, { strict }), bytes);
      }),
      { numRuns: 400, interruptAfterTimeLimit: FUZZ_TIME_LIMIT_MS },
    );
  });

  it('mutated messages: a well-formed Iso8583Error, or a message that re-packs to the same message', () => {
    const mutations = fc.array(mutation, { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(framed, mutations, fc.boolean(), (f, ms, strict) => {
        fc.pre(fitsFrame(dialect, f));
        const body = mutate(dialect.pack(f.message), ms);
        const outcome = decodeSafely(() => dialect.unpack(body, { strict }), body);
        // Whatever unpack accepts, pack must write again, as a message unpack reads the same (a host
        // echoes fields it was sent). Strict unpack refuses malformed GBK/UTF-8; lenient unpack keeps
        // it as U+FFFD, which cannot re-encode to the same bytes, so only strict results are compared
        // when one is present.
        if ('value' in outcome && (strict || !JSON.stringify(outcome.value).includes('\uFFFD'))) {
          expect(dialect.unpack(dialect.pack(outcome.value), { strict })).toEqual(outcome.value);
        }
        const frame = mutate(dialect.packFrame(f), ms);
        decodeSafely(() => dialect.unpackFrame(frame, { strict }), frame);
      }),
      { numRuns: 400, interruptAfterTimeLimit: FUZZ_TIME_LIMIT_MS },
    );
  });

  it('truncated at any byte: a truncated error (invalid-frame when framed) at or before the cut', () => {
    // Framing with a length prefix notices the short frame first; without one the body decoder does.
    const framedCodes = framing?.length === 'none' ? ['truncated', 'invalid-frame'] : ['invalid-frame'];
    fc.assert(
      fc.property(arbitraryFramed(dialect, { maxFields: 6 }), (f) => {
        fc.pre(fitsFrame(dialect, f));
        const body = dialect.pack(f.message);
        for (let cut = 0; cut < body.length; cut++) {
          const input = body.subarray(0, cut);
          const err = decodeError(() => dialect.unpack(input), input);
          expect(err.code).toBe('truncated');
          expect(err.offset).toBeLessThanOrEqual(cut);
        }
        if (!framing) return;
        const frame = dialect.packFrame(f);
        for (let cut = 0; cut < frame.length; cut++) {
          const input = frame.subarray(0, cut);
          const err = decodeError(() => dialect.unpackFrame(input), input);
          expect(framedCodes).toContain(err.code);
          expect(err.offset).toBeLessThanOrEqual(cut);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('a trailing extra byte: trailing-bytes right after the message (invalid-frame when framed)', () => {
    fc.assert(
      fc.property(framed, fc.integer({ min: 0, max: 255 }), (f, extra) => {
        fc.pre(fitsFrame(dialect, f));
        const body = dialect.pack(f.message);
        const input = Buffer.concat([body, Buffer.of(extra)]);
        const err = decodeError(() => dialect.unpack(input), input);
        expect(err.code).toBe('trailing-bytes');
        expect(err.offset).toBe(body.length);
        if (!framing) return;
        const frame = dialect.packFrame(f);
        const framedInput = Buffer.concat([frame, Buffer.of(extra)]);
        const framedErr = decodeError(() => dialect.unpackFrame(framedInput), framedInput);
        expect(framedErr.code).toBe(framing.length === 'none' ? 'trailing-bytes' : 'invalid-frame');
        expect(framedErr.offset).toBe(frame.length);
      }),
      { numRuns: 100 },
    );
  });
});
