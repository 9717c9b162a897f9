import { hasResponseMti } from './mti.js';
import { getField, type IsoMessage } from './values.js';

/**
 * One line for people and logs: `0200 sale 25.00 STAN 000123`, `0210 25.00 STAN 000123 code 00`.
 * DE39 in a request is the terminal's reason (a CUP reversal's `98`: no answer), not an answer's
 * code, and reads so: `0400 reversal 25.00 STAN 000002 reason 98`.
 */
export function summarizeMessage(msg: IsoMessage, label?: string): string {
  const parts = [msg.mti];
  if (label) parts.push(label);
  const amount = getField(msg, '4');
  if (typeof amount === 'string' && /^[0-9]+$/.test(amount)) parts.push((Number(amount) / 100).toFixed(2));
  const stan = getField(msg, '11');
  if (typeof stan === 'string') parts.push(`STAN ${stan}`);
  const code = getField(msg, '39');
  if (typeof code === 'string') parts.push(`${hasResponseMti(msg.mti) ? 'reason' : 'code'} ${code}`);
  return parts.join(' ');
}
