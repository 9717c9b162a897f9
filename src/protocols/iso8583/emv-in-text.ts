import { looksLikePan } from './pan-in-text.js';

/**
 * EMV tags that hold card data or the PIN whatever the dialect's `hide` list says: track 2
 * equivalent (57) and the contactless track 2 (9F6B), track 1 and 2 discretionary data (9F1F,
 * 9F20), the PAN (5A), the cardholder name (5F20), track 1 equivalent (56), transaction PIN data (99).
 */
export const CARD_DATA_TAGS: readonly string[] = ['56', '57', '5A', '5F20', '99', '9F1F', '9F20', '9F6B'];

/**
 * EMV data written as hex inside text: a JSON member carrying a terminal's ICC data (a gateway's
 * `emv_data`), a reason or log line quoting DE55. Its PAN (tag 5A) is BCD, so in hex it is a run of
 * digits glued to the tag and length before it ("5A08" "4111111111111111"): the digit-run search of
 * pan-in-text.ts cannot see it. A run of hex that parses whole as BER-TLV has the values of its
 * card-data tags (CARD_DATA_TAGS, in nested templates too) replaced by `[hidden: N bytes]`, as DE55
 * is masked in decoded messages. Hex that is not TLV (a MAC, an id) is left as it is.
 */
export function maskEmvHexInText(text: string): string {
  return text.replace(HEX_RUN, (run) => {
    const hide: [number, number][] = [];
    if (!scan(run, 0, run.length, hide)) return maskPanItems(run);
    if (hide.length === 0) return run;
    let out = '';
    let at = 0;
    for (const [start, end] of hide) {
      out += `${run.slice(at, start)}[hidden: ${(end - start) / 2} bytes]`;
      at = end;
    }
    return out + run.slice(at);
  });
}

/**
 * Hex that is not TLV through to its end (cut, or glued to other hex) may still hold a PAN item:
 * 5A with a Luhn-valid card number of exactly its length (F-padded to whole bytes), or 57 with one
 * before its D separator. The whole item's value is hidden, 57's expiry and discretionary data too.
 */
const PAN_ITEM = /(?:5A|57)[0-9A-F]{2}(?=[0-9]{12})/gi;
function maskPanItems(run: string): string {
  let out = '';
  let last = 0;
  for (const m of run.matchAll(PAN_ITEM)) {
    const at = m.index;
    if (at < last) continue;
    const bytes = Number.parseInt(run.slice(at + 2, at + 4), 16);
    const end = at + 4 + 2 * bytes;
    if (end > run.length) continue;
    const value = run.slice(at + 4, end);
    const pan = /^5A/i.test(m[0]) ? value.replace(/F$/i, '') : (/^([0-9]+)D/i.exec(value)?.[1] ?? '');
    if (!/^[0-9]+$/.test(pan) || !looksLikePan(pan)) continue;
    out += `${run.slice(last, at + 4)}[hidden: ${bytes} bytes]`;
    last = end;
  }
  return out + run.slice(last);
}

// At least a tag, a length and a few bytes of value; whole bytes, not part of a longer word.
const HEX_RUN = /(?<![0-9A-Za-z])(?:[0-9A-Fa-f]{2}){6,}(?![0-9A-Za-z])/g;
const HIDE = new Set(CARD_DATA_TAGS);

// EMV nests templates two or three deep; deeper hex (a hostile body) is read as no TLV rather than
// recursed into until the stack runs out.
const MAX_DEPTH = 16;

/**
 * Parses hex chars [from, to) as BER-TLV items, adding the char ranges of card-data values to
 * `hide` in order; false when they are not TLV through to the end.
 */
function scan(hex: string, from: number, to: number, hide: [number, number][], depth = 0): boolean {
  let at = from;
  while (at < to) {
    const tagStart = at;
    if (at + 2 > to) return false;
    const first = byte(hex, at);
    at += 2;
    if ((first & 0x1f) === 0x1f) {
      let b: number;
      do {
        if (at + 2 > to) return false;
        b = byte(hex, at);
        at += 2;
      } while (b & 0x80);
    }
    const tag = hex.slice(tagStart, at).toUpperCase();
    if (at + 2 > to) return false;
    let len = byte(hex, at);
    at += 2;
    if (len >= 0x80) {
      const n = len & 0x7f;
      if (n === 0 || n > 3 || at + 2 * n > to) return false;
      len = Number.parseInt(hex.slice(at, at + 2 * n), 16);
      at += 2 * n;
    }
    const end = at + 2 * len;
    if (end > to) return false;
    if (first & 0x20) {
      if (depth === MAX_DEPTH || !scan(hex, at, end, hide, depth + 1)) return false;
    } else if (HIDE.has(tag) && len > 0) {
      hide.push([at, end]);
    }
    at = end;
  }
  return true;
}

function byte(hex: string, at: number): number {
  return Number.parseInt(hex.slice(at, at + 2), 16);
}
