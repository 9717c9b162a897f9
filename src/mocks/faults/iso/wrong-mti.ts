import { Type as T } from '@sinclair/typebox';
import type { IsoMessage } from '../../../protocols/iso8583/values.js';
import { defineFault } from '../types.js';

/**
 * The response has the wrong message type: by default the request's own MTI echoed back (a classic
 * host bug), so a 0200 is answered by a "0200". The terminal must not treat it as the 0210.
 */
export const wrongMti = defineFault({
  name: 'wrong-mti',
  description:
    "Changes the response MTI: to `mti` when given, else to the request's MTI (or, if that is the " +
    'same, to another function digit); the MAC is recomputed so the MTI is the only error.',
  params: T.Object(
    {
      mti: T.Optional(T.String({ pattern: '^[0-9]{4}$', description: 'the MTI to send instead' })),
    },
    { additionalProperties: false },
  ),
  iso: {
    message(message, ctx, p): IsoMessage {
      let mti = p.mti ?? ctx.request.mti;
      if (p.mti === undefined && mti === message.mti) mti = otherFunction(message.mti);
      if (mti === message.mti) ctx.note(`MTI ${mti} is already the requested value`);
      return { ...message, mti };
    },
  },
});

/** 0210 → 0230: same version and class, another function (request/response/advice…). */
function otherFunction(mti: string): string {
  const digit = (Number(mti[2]) + 2) % 10;
  return mti.slice(0, 2) + digit + mti.slice(3);
}
