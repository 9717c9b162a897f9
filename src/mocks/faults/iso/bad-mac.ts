import { Buffer } from 'node:buffer';
import { Type as T } from '@sinclair/typebox';
import { Literals } from '../../../data/schema-helpers.js';
import type { IsoMessage } from '../../../protocols/iso8583/values.js';
import { defineFault } from '../types.js';

/**
 * A response whose MAC does not verify (wrong key after a missed sign-on, a corrupting switch): a
 * CUP terminal must reject it and reverse with reason A0 (DOMAIN.md §3). Runs after the host signed
 * the message, so the MAC field is the only difference.
 */
export const badMac = defineFault({
  name: 'bad-mac',
  description:
    'Breaks the MAC of the response: corrupt flips its bytes (or adds a wrong MAC when there was ' +
    'none), zeros writes 00…, missing removes the MAC field. Other fields are untouched.',
  params: T.Object(
    {
      mode: Literals(['corrupt', 'zeros', 'missing'], { default: 'corrupt', description: 'how to break it' }),
    },
    { additionalProperties: false },
  ),
  iso: {
    mac(message, ctx, p): IsoMessage {
      const field = ctx.codec?.macField;
      if (!field) {
        ctx.note("the host's dialect has no MAC field; unchanged");
        return message;
      }
      const current = message.fields[field];
      if (p.mode === 'missing') {
        if (current === undefined) ctx.note(`the response has no DE${field}; unchanged`);
        const { [field]: _removed, ...fields } = message.fields;
        return { ...message, fields };
      }
      const original = typeof current === 'string' ? Buffer.from(current, 'hex') : Buffer.alloc(8);
      if (current === undefined) ctx.note(`the response had no DE${field}; added one that does not verify`);
      const broken =
        p.mode === 'zeros'
          ? Buffer.alloc(original.length)
          : Buffer.from(original.map((b) => b ^ (1 + Math.floor(ctx.random() * 255))));
      if (broken.equals(original) && current !== undefined) ctx.note('the MAC was already zeros');
      return { ...message, fields: { ...message.fields, [field]: broken.toString('hex').toUpperCase() } };
    },
  },
});
