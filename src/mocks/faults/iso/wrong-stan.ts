import { Type as T } from '@sinclair/typebox';
import type { IsoMessage } from '../../../protocols/iso8583/values.js';
import { defineFault } from '../types.js';

/**
 * The response carries another STAN (DE11) than the request: a correct terminal discards it as
 * not its own (DOMAIN.md §4, correlation). The MAC is recomputed, so only the STAN is wrong.
 */
export const wrongStan = defineFault({
  name: 'wrong-stan',
  description:
    'Changes the STAN (DE11) of the response: to `stan` when given, else the original plus `offset`; ' +
    'the MAC is recomputed so the STAN is the only error.',
  params: T.Object(
    {
      stan: T.Optional(T.String({ pattern: '^[0-9]{6}$', description: 'the STAN to send instead' })),
      offset: T.Integer({ minimum: 1, default: 1, description: 'added to the original STAN (wraps)' }),
    },
    { additionalProperties: false },
  ),
  iso: {
    message(message, ctx, p): IsoMessage {
      const stan = message.fields['11'];
      if (typeof stan !== 'string') {
        ctx.note('the response has no STAN (DE11); unchanged');
        return message;
      }
      const width = stan.length;
      const next =
        p.stan ??
        (/^[0-9]+$/.test(stan)
          ? String((Number(stan) + p.offset) % 10 ** width).padStart(width, '0')
          : '0'.repeat(width));
      if (next === stan) ctx.note(`STAN ${stan} is already the requested value`);
      return { ...message, fields: { ...message.fields, 11: next } };
    },
  },
});
