import { Buffer } from 'node:buffer';
import { Type as T } from '@sinclair/typebox';
import { Literals } from '../../../data/schema-helpers.js';
import { frameOverhead } from '../../../protocols/iso8583/framing/index.js';
import { defineFault } from '../types.js';

/** Line noise: a few bytes of the response are corrupted, at seeded positions. */
export const garbledResponse = defineFault({
  name: 'garbled-response',
  description:
    'Corrupts `count` bytes of the response at seeded random positions; by default the length ' +
    'prefix, TPDU and header are spared so the terminal receives a whole frame with a bad body.',
  params: T.Object(
    {
      count: T.Integer({ minimum: 1, default: 1, description: 'how many bytes to corrupt' }),
      mode: Literals(['flip', 'random'], {
        default: 'flip',
        description: 'flip: XOR with a non-zero byte (always changes it); random: any byte value',
      }),
      keepFraming: T.Boolean({
        default: true,
        description: 'spare the length prefix, TPDU and header (needs the framing from the server)',
      }),
    },
    { additionalProperties: false },
  ),
  iso: {
    bytes(bytes, ctx, p) {
      const start = p.keepFraming && ctx.framing ? Math.min(frameOverhead(ctx.framing), bytes.length) : 0;
      const span = bytes.length - start;
      if (span === 0) {
        ctx.note('nothing to garble');
        return bytes;
      }
      const out = Buffer.from(bytes);
      for (const at of pickPositions(ctx.random, start, span, p.count)) {
        out[at] =
          p.mode === 'flip'
            ? out[at]! ^ (1 + Math.floor(ctx.random() * 255))
            : Math.floor(ctx.random() * 256);
      }
      return out;
    },
  },
});

/** `count` distinct offsets in [start, start + span), chosen by a partial Fisher–Yates shuffle. */
function pickPositions(random: () => number, start: number, span: number, count: number): number[] {
  const n = Math.min(count, span);
  const picked = new Map<number, number>();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (span - i));
    out.push(start + (picked.get(j) ?? j));
    picked.set(j, picked.get(i) ?? i);
  }
  return out;
}
