import { Buffer } from 'node:buffer';
import { createCipheriv, createDecipheriv } from 'node:crypto';

// OpenSSL 3 moved single DES ('des-ecb', 'des-cbc') to the legacy provider, which Node does not load, so every
// operation here runs on 'des-ede3': with K1 = K2 = K3 EDE collapses to one DES encryption. 16-byte keys
// become K1||K2||K1 (2-key 3DES). DES ignores the parity bits, so keys with bad parity still work.

export const BLOCK = 8;

const ZERO_IV = Buffer.alloc(BLOCK);

/** Widens an 8/16/24-byte key to the 24-byte key 'des-ede3' expects. */
function ede3Key(key: Uint8Array): Buffer {
  const k = Buffer.from(key);
  if (k.length === 8) return Buffer.concat([k, k, k]);
  if (k.length === 16) return Buffer.concat([k, k.subarray(0, 8)]);
  return k;
}

function checkKey(what: string, key: Uint8Array, lengths: readonly number[]): void {
  if (!lengths.includes(key.length)) {
    throw new TypeError(`${what}: key must be ${lengths.join(' or ')} bytes, got ${key.length}`);
  }
}

function checkData(what: string, data: Uint8Array, exact?: number): void {
  const ok = exact === undefined ? data.length % BLOCK === 0 : data.length === exact;
  if (!ok) {
    const want = exact === undefined ? 'a multiple of 8 bytes' : `${exact} bytes`;
    throw new RangeError(`${what}: data must be ${want}, got ${data.length}`);
  }
}

// A fresh Cipher per call: node:crypto ciphers cannot be reset after final(), and setup is cheap next to
// the socket I/O of a test harness, so a key/cipher cache would only add state.
function run(encrypt: boolean, mode: 'des-ede3' | 'des-ede3-cbc', key: Uint8Array, data: Uint8Array): Buffer {
  const iv = mode === 'des-ede3' ? null : ZERO_IV;
  const c = encrypt ? createCipheriv(mode, ede3Key(key), iv) : createDecipheriv(mode, ede3Key(key), iv);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
}

/** Single-DES encryption of one 8-byte block with an 8-byte key. */
export function desEncryptBlock(key: Uint8Array, block: Uint8Array): Buffer {
  checkKey('DES', key, [8]);
  checkData('DES', block, BLOCK);
  return run(true, 'des-ede3', key, block);
}

/** Single-DES decryption of one 8-byte block with an 8-byte key. */
export function desDecryptBlock(key: Uint8Array, block: Uint8Array): Buffer {
  checkKey('DES', key, [8]);
  checkData('DES', block, BLOCK);
  return run(false, 'des-ede3', key, block);
}

/** 3DES ECB encryption (2-key or 3-key), e.g. wrapping a PIK/MAK under a terminal master key. */
export function tdesEncryptEcb(key: Uint8Array, data: Uint8Array): Buffer {
  checkKey('3DES', key, [16, 24]);
  checkData('3DES', data);
  return run(true, 'des-ede3', key, data);
}

/** 3DES ECB decryption (2-key or 3-key), e.g. unwrapping a downloaded working key. */
export function tdesDecryptEcb(key: Uint8Array, data: Uint8Array): Buffer {
  checkKey('3DES', key, [16, 24]);
  checkData('3DES', data);
  return run(false, 'des-ede3', key, data);
}

/**
 * Final block of CBC encryption with a zero IV (a raw CBC-MAC); DES for 8-byte keys, 3DES for 16/24.
 * One CBC pass in OpenSSL instead of a Cipher per block.
 */
export function cbcMacBlock(key: Uint8Array, data: Uint8Array): Buffer {
  checkKey('CBC-MAC', key, [8, 16, 24]);
  checkData('CBC-MAC', data);
  if (data.length === 0) throw new RangeError('CBC-MAC: data must not be empty');
  return Buffer.from(run(true, 'des-ede3-cbc', key, data).subarray(-BLOCK));
}
