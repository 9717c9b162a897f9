import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { jsonErrorMessage } from '../data/json-error.js';
import type { FramedMessage, IsoMessage } from '../protocols/iso8583/index.js';

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
    if (!arg.startsWith('@')) {
      // Say where: a pasted trace often carries one stray character (an 'O' for a '0').
      const at = text.search(/[^0-9A-Fa-f\s]/);
      throw new UsageError(
        `the message must be hex, or @file: ${JSON.stringify(text[at])} at character ${at + 1} is not a hex digit`,
      );
    }
    return raw;
  }
  const hex = text.replace(/\s+/g, '');
  if (hex.length % 2 !== 0) throw new UsageError(`odd number of hex digits (${hex.length})`);
  return Buffer.from(hex, 'hex');
}

/**
 * A message to encode or send, given as JSON (inline, `@file` or `@-`): `{mti, fields}` with
 * optional `tpdu` and `header`, or `{tpdu?, header?, message: {mti, fields}}`.
 */
export function readFramedMessage(arg: string): FramedMessage {
  let data: unknown;
  try {
    data = JSON.parse(readArgument(arg).toString('utf8'));
  } catch (err) {
    throw new UsageError(`the message is not JSON: ${jsonErrorMessage(err)}`);
  }
  const obj = (data ?? {}) as Partial<FramedMessage & IsoMessage>;
  const message = (obj.message ?? obj) as IsoMessage;
  if (
    typeof message !== 'object' ||
    typeof message.mti !== 'string' ||
    typeof message.fields !== 'object' ||
    message.fields === null
  ) {
    throw new UsageError('the JSON must have "mti" (string) and "fields" (object keyed by field number)');
  }
  return {
    ...(obj.tpdu && { tpdu: obj.tpdu }),
    ...(obj.header !== undefined && { header: obj.header }),
    message: { mti: message.mti, fields: message.fields },
  };
}

/** A mistake in how the command was called (exit code 2), as opposed to a bad message (exit code 1). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Commander's collector for a repeatable option: every value given, in order. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
