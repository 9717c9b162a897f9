import type { Dialect } from './dialect.js';
import { Iso8583Error } from './errors.js';
import { computeMac, type MacAlgorithm, verifyMac } from './mac/index.js';
import type { IsoMessage } from './values.js';

/**
 * MACing a whole message: the MAC covers the packed body from the MTI up to the byte before the
 * MAC field, which must be the last field (DE64, or DE128 with a secondary bitmap), as in
 * every dialect we know. The algorithm comes from the dialect unless the caller overrides it.
 */
export function signMessage(
  dialect: Dialect,
  msg: IsoMessage,
  key: Uint8Array,
  algorithm?: MacAlgorithm,
): IsoMessage {
  const { field, alg, wire } = macField(dialect, msg, algorithm);
  const placeholder = { mti: msg.mti, fields: { ...msg.fields, [field]: '0'.repeat(16) } };
  const body = dialect.pack(placeholder);
  const mac = computeMac(alg, key, body.subarray(0, body.length - wire));
  return { mti: msg.mti, fields: { ...msg.fields, [field]: mac.toString('hex').toUpperCase() } };
}

/** True when the body's MAC field holds the MAC of the bytes before it. */
export function verifyMessageMac(
  dialect: Dialect,
  body: Uint8Array,
  key: Uint8Array,
  algorithm?: MacAlgorithm,
): boolean {
  const msg = dialect.unpack(body, { strict: false });
  const { field, alg, wire } = macField(dialect, msg, algorithm);
  const value = msg.fields[field];
  if (typeof value !== 'string') return false;
  const received = Buffer.from(value, 'hex');
  return verifyMac(alg, key, body.subarray(0, body.length - wire), received);
}

function macField(dialect: Dialect, msg: IsoMessage, algorithm?: MacAlgorithm) {
  const field = dialect.mac?.field ?? 64;
  const alg = algorithm ?? dialect.mac?.algorithm;
  if (!alg)
    throw new Iso8583Error('invalid-value', String(field), -1, 'a MAC algorithm', `none in ${dialect.id}`);
  const spec = dialect.field(field);
  if (spec?.type !== 'b' || spec.length !== 8 || spec.prefix) {
    throw new Iso8583Error(
      'invalid-value',
      String(field),
      -1,
      'an 8-byte fixed binary MAC field',
      spec?.format ?? 'none',
    );
  }
  const later = Object.keys(msg.fields).filter((k) => Number(k) > field);
  if (later.length > 0) {
    throw new Iso8583Error(
      'invalid-value',
      later[0]!,
      -1,
      `no field after the MAC field ${field}`,
      `DE${later[0]}`,
    );
  }
  // The MAC is 8 bytes; an ASCII dialect writes them as 16 hex characters.
  return { field, alg, wire: spec.enc === 'ascii-hex' ? 16 : 8 };
}
