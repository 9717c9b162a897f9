import type { RecordedMessage } from '../../../mocks/exchange.js';
import {
  type Dialect,
  type FramedMessage,
  maskMessage,
  summarizeMessage,
} from '../../../protocols/iso8583/index.js';

/**
 * A message as the terminal records it, in the exchange model the hosts' journal uses: a summary
 * line (`0200 sale 25.00 STAN 000123`, `0210 25.00 STAN 000123 code 00`) and the decoded fields
 * with card data masked. Never the bytes: they hold card data in clear.
 */
export function recordMessage(
  dialect: Dialect,
  framed: FramedMessage,
  size: number,
  label?: string,
): RecordedMessage {
  const msg = framed.message;
  return {
    summary: summarizeMessage(msg, label),
    size,
    iso: {
      mti: msg.mti,
      fields: maskMessage(dialect, msg).fields,
      ...(framed.tpdu && { tpdu: framed.tpdu }),
      ...(framed.header !== undefined && { header: framed.header }),
    },
  };
}
