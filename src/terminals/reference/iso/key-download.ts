import { Buffer } from 'node:buffer';
import { desDecryptBlock, keyCheckValue, tdesDecryptEcb } from '../../../protocols/iso8583/index.js';
import { TerminalFault } from '../terminal-fault.js';

/**
 * CUP-style key download: the sign-on answer carries each working key (PIK, MAK …) encrypted
 * under the terminal master key, each followed by its check value (the key encrypting eight zero
 * bytes, first N bytes). The terminal decrypts them and refuses keys whose check value differs.
 */
export function unwrapKeys(
  blockHex: string,
  masterKeyHex: string,
  spec: { keys: string[]; checkValueBytes: number },
): Record<string, string> {
  const block = Buffer.from(blockHex, 'hex');
  const master = Buffer.from(masterKeyHex, 'hex');
  const size = block.length / spec.keys.length - spec.checkValueBytes;
  if (!Number.isInteger(size) || size <= 0 || size % 8 !== 0)
    throw new TerminalFault(
      'key-download',
      `a key block of ${block.length} bytes does not hold ${spec.keys.join(', ')}`,
    );
  const out: Record<string, string> = {};
  let at = 0;
  for (const role of spec.keys) {
    const wrapped = block.subarray(at, at + size);
    const kcv = block.subarray(at + size, at + size + spec.checkValueBytes);
    at += size + spec.checkValueBytes;
    const key = decrypt(master, wrapped);
    if (spec.checkValueBytes > 0 && !keyCheckValue(key, spec.checkValueBytes).equals(kcv))
      throw new TerminalFault('key-check-value', `${role}: the check value does not match the decrypted key`);
    out[role] = key.toString('hex').toUpperCase();
  }
  return out;
}

function decrypt(master: Buffer, data: Buffer): Buffer {
  if (master.length === 16 || master.length === 24) return tdesDecryptEcb(master, data);
  if (master.length !== 8) throw new TerminalFault('key-download', `a master key of ${master.length} bytes`);
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += 8) out.push(desDecryptBlock(master, data.subarray(i, i + 8)));
  return Buffer.concat(out);
}
