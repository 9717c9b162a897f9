import { Buffer } from 'node:buffer';
import { desDecryptBlock, tdesDecryptEcb } from '../../protocols/iso8583/index.js';

/**
 * Recovers the PIN from an ISO 9564 PIN block so the host can check it against the test card.
 * Format 0 XORs the PIN field with 12 PAN digits; format 1 and 3 carry the PIN without the PAN.
 * Returns undefined when the block is not well formed (which the host answers as a wrong PIN).
 */
export function pinFromBlock(
  blockHex: string,
  keyHex: string,
  format: 'iso-0' | 'iso-1' | 'iso-3',
  pan: string,
): string | undefined {
  const key = Buffer.from(keyHex, 'hex');
  const block = Buffer.from(blockHex, 'hex');
  if (block.length !== 8) return undefined;
  const clear = key.length === 8 ? desDecryptBlock(key, block) : tdesDecryptEcb(key, block);
  if (format === 'iso-0') {
    const panField = Buffer.from(`0000${pan.slice(-13, -1).padStart(12, '0')}`, 'hex');
    for (let i = 0; i < 8; i++) clear[i] = clear[i]! ^ panField[i]!;
  }
  const hex = clear.toString('hex').toUpperCase();
  const expectedFormat = { 'iso-0': '0', 'iso-1': '1', 'iso-3': '3' }[format];
  if (hex[0] !== expectedFormat) return undefined;
  const length = Number.parseInt(hex[1]!, 16);
  if (length < 4 || length > 12) return undefined;
  const pin = hex.slice(2, 2 + length);
  return /^[0-9]+$/.test(pin) ? pin : undefined;
}

/** Builds a format-0 PIN block (the reference terminal and tests use it). */
export function pinBlockIso0(pin: string, pan: string): Buffer {
  const pinField = Buffer.from(`0${pin.length.toString(16)}${pin}`.padEnd(16, 'F'), 'hex');
  const panField = Buffer.from(`0000${pan.slice(-13, -1).padStart(12, '0')}`, 'hex');
  for (let i = 0; i < 8; i++) pinField[i] = pinField[i]! ^ panField[i]!;
  return pinField;
}
