import { Buffer } from 'node:buffer';
import { timingSafeEqual } from 'node:crypto';
import { BLOCK, cbcMacBlock, desDecryptBlock, desEncryptBlock, tdesEncryptEcb } from './des.js';

/**
 * MAC algorithms found on ISO 8583 links. Each yields the 8 bytes carried in field 64/128.
 * - 'x9.9': ANSI X9.9 / FIPS 113, DES CBC-MAC with a zero IV and an 8-byte key.
 * - 'x9.19': ANSI X9.19 = ISO 9797-1 MAC algorithm 3 ("retail MAC"), 16-byte key K1||K2: CBC-MAC under K1,
 *   then decrypt with K2 and encrypt with K1. An 8-byte key gives plain X9.9.
 * - 'cup-ecb': China UnionPay POS "ECB" MAC. The result is 8 ASCII hex characters. A 16-byte MAK switches
 *   both encryptions to 3DES.
 * Many issuers send only the leftmost 4 bytes of an X9.9/X9.19 MAC. For those, compare
 * `computeMac(...).subarray(0, 4)` yourself, because verifyMac only accepts all 8 bytes.
 */
export type MacAlgorithm = 'x9.9' | 'x9.19' | 'cup-ecb';

export const MAC_LENGTH = 8;

const KEY_LENGTHS: Readonly<Record<MacAlgorithm, readonly number[]>> = {
  'x9.9': [8],
  'x9.19': [16, 8],
  'cup-ecb': [8, 16],
};

/**
 * ISO 9797-1 padding method 1: zero-fill up to a multiple of 8, but only when needed. Empty data becomes one
 * zero block. Note that data and data||00 give the same MAC, so the message framing must fix the length.
 */
function zeroPad(data: Uint8Array): Buffer {
  const out = Buffer.alloc(Math.max(1, Math.ceil(data.length / BLOCK)) * BLOCK);
  out.set(data);
  return out;
}

function xorInto(dst: Buffer, src: Uint8Array, offset = 0): void {
  for (let i = 0; i < dst.length; i++) dst[i] = dst[i]! ^ src[offset + i]!;
}

/** Uppercase hex digits as ASCII bytes, as CUP puts them on the wire. */
function hexAscii(block: Uint8Array): Buffer {
  return Buffer.from(Buffer.from(block).toString('hex').toUpperCase(), 'latin1');
}

function x919(key: Uint8Array, data: Uint8Array): Buffer {
  const k1 = key.subarray(0, 8);
  return desEncryptBlock(k1, desDecryptBlock(key.subarray(8, 16), cbcMacBlock(k1, zeroPad(data))));
}

function cupEcb(key: Uint8Array, data: Uint8Array): Buffer {
  const padded = zeroPad(data);
  const r = Buffer.alloc(BLOCK);
  for (let off = 0; off < padded.length; off += BLOCK) xorInto(r, padded, off);
  const hex = hexAscii(r);
  const enc = (b: Uint8Array) => (key.length === 8 ? desEncryptBlock(key, b) : tdesEncryptEcb(key, b));
  const t = enc(hex.subarray(0, BLOCK));
  xorInto(t, hex, BLOCK);
  return Buffer.from(hexAscii(enc(t)).subarray(0, MAC_LENGTH));
}

/** Computes the 8-byte MAC field value. Throws TypeError when the key length does not fit the algorithm. */
export function computeMac(algorithm: MacAlgorithm, key: Uint8Array, data: Uint8Array): Buffer {
  const lengths = Object.hasOwn(KEY_LENGTHS, algorithm) ? KEY_LENGTHS[algorithm] : undefined;
  if (lengths === undefined) throw new TypeError(`unknown MAC algorithm: ${String(algorithm)}`);
  if (!lengths.includes(key.length)) {
    throw new TypeError(`${algorithm} MAC: key must be ${lengths.join(' or ')} bytes, got ${key.length}`);
  }
  if (algorithm === 'cup-ecb') return cupEcb(key, data);
  if (algorithm === 'x9.19' && key.length === 16) return x919(key, data);
  return cbcMacBlock(key, zeroPad(data));
}

/** Recomputes and compares in constant time. A MAC that is not exactly 8 bytes never verifies. */
export function verifyMac(
  algorithm: MacAlgorithm,
  key: Uint8Array,
  data: Uint8Array,
  mac: Uint8Array,
): boolean {
  const expected = computeMac(algorithm, key, data);
  return mac.length === MAC_LENGTH && timingSafeEqual(expected, mac);
}

/**
 * Key check value: encrypt 8 zero bytes and keep the first `length` bytes. Uses DES for 8-byte keys and
 * 3DES for 16/24-byte keys. Hosts print it beside a downloaded key so both sides can confirm they hold the
 * same key.
 */
export function keyCheckValue(key: Uint8Array, length = 4): Buffer {
  if (!Number.isInteger(length) || length < 1 || length > BLOCK) {
    throw new RangeError(`KCV: length must be 1..8, got ${length}`);
  }
  const zero = Buffer.alloc(BLOCK);
  let block: Buffer;
  if (key.length === 8) block = desEncryptBlock(key, zero);
  else if (key.length === 16 || key.length === 24) block = tdesEncryptEcb(key, zero);
  else throw new TypeError(`KCV: key must be 8, 16 or 24 bytes, got ${key.length}`);
  return Buffer.from(block.subarray(0, length));
}
