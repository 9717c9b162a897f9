import { type FramedMessage, maskMessage, summarizeMessage } from '../../protocols/iso8583/index.js';
import type { RecordedMessage } from '../exchange.js';
import type { HostVersion } from '../hosts/host-loader.js';

/** A message as the journal keeps it: decoded, card data masked, never the raw bytes. */
export function recorded(
  version: HostVersion,
  framed: FramedMessage,
  size: number,
  kind?: string,
): RecordedMessage {
  return { summary: summarizeMessage(framed.message, kind), size, iso: isoView(version, framed) };
}

function isoView(version: HostVersion, framed: FramedMessage): NonNullable<RecordedMessage['iso']> {
  return {
    mti: framed.message.mti,
    fields: maskMessage(version.dialect, framed.message).fields,
    ...(framed.tpdu && { tpdu: framed.tpdu }),
    ...(framed.header !== undefined && { header: framed.header }),
  };
}

/**
 * The same record, computed when first read: the journal of a busy host is mostly never read
 * (a matrix cell reads it once at the end), and decoding + masking every message up front, or even
 * building its summary line, was a large share of the host's CPU and garbage. The decoded message
 * waits in memory, unmasked, until then; everything that leaves the process goes through the
 * masked view. Own enumerable getters, so JSON and deep equality see plain fields.
 */
export function lazyRecorded(
  version: HostVersion,
  framed: FramedMessage,
  size: number,
  kind?: string,
): RecordedMessage {
  let summary: string | undefined;
  let iso: RecordedMessage['iso'];
  return {
    get summary() {
      summary ??= summarizeMessage(framed.message, kind);
      return summary;
    },
    size,
    get iso() {
      iso ??= isoView(version, framed);
      return iso;
    },
  };
}
