import { type FramedMessage, getField, maskMessage } from '../../protocols/iso8583/index.js';
import type { RecordedMessage } from '../exchange.js';
import type { HostVersion } from '../hosts/host-loader.js';

/** A message as the journal keeps it: decoded, card data masked, never the raw bytes. */
export function recorded(
  version: HostVersion,
  framed: FramedMessage,
  size: number,
  kind?: string,
): RecordedMessage {
  const msg = framed.message;
  const parts = [msg.mti];
  if (kind) parts.push(kind);
  const amount = getField(msg, '4');
  if (typeof amount === 'string' && /^[0-9]+$/.test(amount)) parts.push((Number(amount) / 100).toFixed(2));
  const stan = getField(msg, '11');
  if (typeof stan === 'string') parts.push(`STAN ${stan}`);
  const code = getField(msg, '39');
  if (typeof code === 'string') parts.push(`code ${code}`);
  return {
    summary: parts.join(' '),
    size,
    iso: {
      mti: msg.mti,
      fields: maskMessage(version.dialect, msg).fields,
      ...(framed.tpdu && { tpdu: framed.tpdu }),
      ...(framed.header !== undefined && { header: framed.header }),
    },
  };
}

/**
 * The same record, computed when first read: the journal of a busy host is mostly never read
 * (a matrix cell reads it once at the end), and decoding + masking every message up front was a
 * large share of the host's CPU and garbage. The decoded message waits in memory, unmasked, until
 * then; everything that leaves the process goes through the masked view.
 */
export function lazyRecorded(
  version: HostVersion,
  framed: FramedMessage,
  size: number,
  kind?: string,
): RecordedMessage {
  let full: RecordedMessage | undefined;
  const get = () => {
    full ??= recorded(version, framed, size, kind);
    return full;
  };
  const out = { size } as RecordedMessage;
  Object.defineProperty(out, 'summary', { enumerable: true, get: () => get().summary });
  Object.defineProperty(out, 'iso', { enumerable: true, get: () => get().iso });
  return out;
}
