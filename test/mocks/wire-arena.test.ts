// The arena that keeps journal and ledger message bytes off the JS heap: every Wire reads back the
// bytes it was given, however the chunks roll over, and a later message never overwrites one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WireArena } from '../../src/mocks/wire-arena.js';

describe('WireArena', () => {
  it('keeps a slice of a buffer as a copy: changing the source later changes nothing', () => {
    const arena = new WireArena(64);
    const src = Buffer.from('0123456789');
    const wire = arena.keep(src, 2, 6);
    src.fill(0x78);
    expect(wire.bytes().toString('latin1')).toBe('2345');
    expect(wire.length).toBe(4);
  });

  it('every message reads back intact across chunk roll-overs and messages larger than a quarter chunk', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 60 }), (messages) => {
        const arena = new WireArena(64);
        const wires = messages.map((m) => arena.keep(Buffer.from(m)));
        wires.forEach((w, i) => {
          expect([...w.bytes()]).toEqual([...messages[i]!]);
        });
        // A message over a quarter chunk (16 bytes here) has a buffer of its own.
        wires.forEach((w, i) => {
          if (messages[i]!.length > 16) expect(w.chunk.length).toBe(messages[i]!.length);
        });
      }),
    );
  });
});
