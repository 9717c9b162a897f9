import type { Dialect } from './dialect.js';
import { CARD_DATA_TAGS } from './emv-in-text.js';
import type { ResolvedField } from './field-spec.js';
import { maskPansInText } from './pan-in-text.js';
import type { FieldValue, IsoMessage, Subfields, TlvItem } from './values.js';

/**
 * Card data never leaves paymatrix in clear: PANs keep their first 6 and last 4 digits, and
 * everything marked `hide` in the dialect (track data, PIN blocks, keys, CVV, EMV tags such as
 * 57/5A) is replaced by a marker that keeps only its length, which is what a tester needs.
 */
export function maskPan(pan: string): string {
  if (pan.length <= 10)
    return pan.length <= 4 ? '*'.repeat(pan.length) : '*'.repeat(pan.length - 4) + pan.slice(-4);
  return pan.slice(0, 6) + '*'.repeat(pan.length - 10) + pan.slice(-4);
}

/**
 * The elements that hold cardholder data, the PIN or a security code in every ISO 8583 version, and
 * how they are masked when nothing more specific says: a dialect that redefines one without a mask
 * (fields replace whole), or an emulator's report decoded without a dialect.
 */
export const CARD_DATA_MASKS: Readonly<Record<string, 'pan' | 'hide'>> = {
  '2': 'pan', // PAN
  '34': 'pan', // PAN, extended
  '35': 'hide', // track 2
  '36': 'hide', // track 3
  '45': 'hide', // track 1
  '52': 'hide', // PIN block
  '96': 'hide', // message security code
};

export function hidden(value: string, binary: boolean): string {
  return binary ? `[hidden: ${value.length / 2} bytes]` : `[hidden: ${value.length} chars]`;
}

/** The message with every sensitive value masked, same shape, safe for logs, traces and reports. */
export function maskMessage(dialect: Dialect, msg: IsoMessage): IsoMessage {
  const fields: Record<string, FieldValue> = {};
  for (const [id, value] of Object.entries(msg.fields)) {
    const spec = dialect.field(Number(id));
    fields[id] = spec ? maskValue(spec, value) : value;
  }
  return { mti: msg.mti, fields };
}

export function maskValue(spec: ResolvedField, value: FieldValue): FieldValue {
  if (typeof value === 'string')
    return maskText(spec.mask, value, spec.type === 'b', FREE_TEXT.has(spec.type));
  if (spec.mask === 'hide') return '[hidden]';
  const sub = spec.subfields;
  if (Array.isArray(value)) {
    const hide = new Set([...CARD_DATA_TAGS, ...((sub && 'hide' in sub && sub.hide) || [])]);
    return maskTlv(value, hide);
  }
  if (sub?.kind === 'positional') {
    const out: Subfields = {};
    for (const [k, v] of Object.entries(value)) {
      // A subfield without a mask may still hold a card number a terminal put there.
      out[k] = typeof v === 'string' ? maskText(sub.fields[k]?.mask, v, false, true) : v;
    }
    return out;
  }
  return value;
}

function maskText(mask: ResolvedField['mask'], value: string, binary: boolean, text = false): string {
  if (mask === 'pan') return maskPan(value);
  if (mask === 'hide') return hidden(value, binary);
  // Free text (a merchant name, private-use data): a card number a terminal put there is masked too.
  // Number elements are left: control values such as CUP's DE53 2600000000000000 pass the Luhn
  // check by chance, and masking them would garble the evidence.
  return text ? maskPansInText(value) : value;
}

/** Elements of letters and specials, where a card number would be free text, not the element's value. */
const FREE_TEXT = new Set(['a', 'an', 'ans']);

function maskTlv(items: TlvItem[], hide: Set<string>): TlvItem[] {
  return items.map((item) => {
    if (Array.isArray(item.value)) return { tag: item.tag, value: maskTlv(item.value, hide) };
    return hide.has(item.tag) ? { tag: item.tag, value: hidden(item.value, true) } : item;
  });
}
