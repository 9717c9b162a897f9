import type { RecordedMessage } from '../../mocks/exchange.js';
import {
  CARD_DATA_MASKS,
  type Dialect,
  type FieldValue,
  maskPan,
  maskPansInText,
  maskValue,
} from '../../protocols/iso8583/index.js';
import { maskHeaders, maskJson } from '../../protocols/rest/mask.js';
import type { WireRecordedMessage } from './protocol-schema.js';

/**
 * Masks card data and secrets in everything an emulator tells paymatrix (outcomes, events, stderr)
 * before it is kept anywhere: an external program cannot be trusted to mask, however well meant.
 * Decoded ISO elements are masked by the build's dialect (PAN 6+4, track and PIN data hidden);
 * JSON (HTTP bodies, event data) by the REST masking rules — keys that always hold secrets (cvc,
 * track data, PIN block) hidden, PANs masked even as JSON numbers; headers that carry credentials
 * masked; free text loses anything that looks like a PAN or track 1/2 data, and every secret the
 * driver gave the emulator (keys, API key, the cards it was handed).
 */
export class OutputMasker {
  readonly #secrets = new Set<string>();

  constructor(private readonly dialect?: Dialect) {}

  /** Values to remove wherever they appear (keys, PANs). Short values are ignored: they are not secrets alone. */
  addSecrets(...values: (string | undefined)[]): void {
    for (const v of values) if (v && v.length >= 8) this.#secrets.add(v);
  }

  /**
   * Free text with card data, keys and PINs masked. `anyDigits`: every run of 13-19 digits is taken
   * for a PAN (stderr, summaries: anything goes there); else only a Luhn-valid one, for an element
   * the dialect says is text (a 15-digit merchant id is no card number).
   */
  text(value: string, anyDigits = true): string {
    let out = value;
    for (const secret of this.#secrets) {
      if (!out.includes(secret)) continue;
      const replacement = /^[0-9]{12,19}$/.test(secret)
        ? maskPan(secret)
        : `[hidden: ${secret.length} chars]`;
      out = out.split(secret).join(replacement);
    }
    out = out
      .replace(TRACK1, (_m, pan: string) => `B${maskPan(pan)}^[hidden]`)
      .replace(TRACK, (_m, pan: string) => `${maskPan(pan)}=[hidden]`);
    // A text element: the card-number scan reasons and the journals use.
    out = anyDigits ? out.replace(PAN_LIKE, (pan) => maskPan(pan)) : maskPansInText(out);
    return out.replace(PIN_WORD, (_m, label: string) => `${label}[hidden]`);
  }

  message(msg: WireRecordedMessage): RecordedMessage {
    const out: RecordedMessage = { summary: this.text(msg.summary), size: msg.size };
    if (msg.iso) {
      const fields: Record<string, unknown> = {};
      for (const [id, value] of Object.entries(msg.iso.fields)) fields[id] = this.#field(id, value);
      out.iso = { ...msg.iso, fields };
      if (msg.iso.header !== undefined) out.iso.header = this.text(msg.iso.header);
    }
    if (msg.http) {
      const headers = maskHeaders(msg.http.headers);
      for (const [k, v] of Object.entries(headers)) headers[k] = this.text(v);
      out.http = { ...msg.http, headers };
      if ('body' in msg.http) out.http.body = this.deep(msg.http.body);
    }
    return out;
  }

  /** A JSON value masked by the REST rules (secret keys, PANs), then every string in it as free text. */
  deep(value: unknown): unknown {
    return this.#strings(maskJson(value));
  }

  #strings(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) return value.map((v) => this.#strings(v));
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.#strings(v)]));
    return value;
  }

  #field(id: string, value: unknown): unknown {
    if (typeof value === 'string' && value.startsWith('[hidden')) return value; // masked already
    const spec = this.dialect?.field(Number(id));
    if (!spec) {
      // No dialect to ask: the elements that carry card data in every ISO 8583 version.
      const mask = CARD_DATA_MASKS[id];
      if (mask === 'pan' && typeof value === 'string') return maskPan(value);
      if (mask) return '[hidden]';
      return this.deep(value);
    }
    if (typeof value === 'string') {
      if (spec.mask) return maskValue(spec, value);
      // Numeric elements (amounts, totals, dates) are numbers, not PANs: masking them would garble evidence.
      if (spec.type === 'n' && /^[0-9]*$/.test(value)) return value;
      // A TLV element given as one hex string may hold tags the dialect hides (5A, 57): hide it whole.
      if (spec.subfields?.kind === 'ber-tlv' && 'hide' in spec.subfields && spec.subfields.hide?.length)
        return `[hidden: ${value.length / 2} bytes]`;
      return this.text(value, false);
    }
    const shaped = isFieldValue(value) ? maskValue(spec, value) : value;
    return this.deep(shaped);
  }
}

/** Track 1: `%B` PAN `^` name `^` expiry, service code and discretionary data (CVV1 among them) `?`. */
const TRACK1 = /%?B([0-9]{12,19})\^[^^\r\n]*\^[^\s?]*\??/g;
const TRACK = /(?<![0-9])([0-9]{12,19})[=D][0-9]{4,}/g;
const PAN_LIKE = /(?<![0-9])[0-9]{13,19}(?![0-9])/g;
const PIN_WORD = /\b(pin\s*(?:block)?\s*[=:]\s*)[0-9A-Fa-f]{4,16}\b/gi;

function isFieldValue(value: unknown): value is FieldValue {
  if (Array.isArray(value))
    return value.every((v) => v && typeof v === 'object' && typeof (v as { tag?: unknown }).tag === 'string');
  return !!value && typeof value === 'object';
}
