import { readFileSync } from 'node:fs';

/** Reads a CLI argument that is inline text, `@file`, or `@-` for stdin. */
export function readArgument(arg: string): Buffer {
  if (!arg.startsWith('@')) return Buffer.from(arg, 'utf8');
  const path = arg.slice(1);
  try {
    return readFileSync(path === '-' ? 0 : path);
  } catch (err) {
    throw new UsageError(`cannot read ${path === '-' ? 'stdin' : path}: ${(err as Error).message}`);
  }
}

const HEX_TEXT = /^[0-9A-Fa-f\s]*$/;

/** Message bytes from hex text (spaces and newlines allowed) or, for a binary file, the bytes as they are. */
export function readMessageBytes(arg: string): Buffer {
  const raw = readArgument(arg);
  const text = raw.toString('latin1');
  if (!HEX_TEXT.test(text)) {
    if (!arg.startsWith('@')) throw new UsageError('the message must be hex, or @file');
    return raw;
  }
  const hex = text.replace(/\s+/g, '');
  if (hex.length % 2 !== 0) throw new UsageError(`odd number of hex digits (${hex.length})`);
  return Buffer.from(hex, 'hex');
}

/** A mistake in how the command was called (exit code 2), as opposed to a bad message (exit code 1). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
