import { Buffer } from 'node:buffer';
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
  /** The primary MAC element when it is not the dialect's (a host version may say). */
  baseField?: number,
): IsoMessage {
  const { field, alg, wire } = macField(dialect, msg, algorithm, baseField);
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
  baseField?: number,
): boolean {
  const msg = dialect.unpack(body, { strict: false });
  const { field, alg, wire } = macField(dialect, msg, algorithm, baseField);
  const value = msg.fields[field];
  if (typeof value !== 'string') return false;
  const received = Buffer.from(value, 'hex');
  return verifyMac(alg, key, body.subarray(0, body.length - wire), received);
}

/**
 * The element that carries this message's MAC. ISO 8583 puts the MAC last: the primary element
 * (DE64), or its secondary-bitmap twin (DE128) when the message has other fields after DE64, e.g.
 * the reconciliation totals DE74-DE88 of a 1500.
 */
export function macFieldOf(dialect: Dialect, msg: IsoMessage, baseField?: number): number {
  const base = baseField ?? dialect.mac?.field ?? 64;
  const twin = base + 64;
  const later = Object.keys(msg.fields).some((id) => Number(id) > base && Number(id) !== twin);
  return later && dialect.field(twin)?.type === 'b' ? twin : base;
}

function macField(dialect: Dialect, msg: IsoMessage, algorithm?: MacAlgorithm, baseField?: number) {
  const field = macFieldOf(dialect, msg, baseField);
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
