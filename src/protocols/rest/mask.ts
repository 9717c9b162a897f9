import { maskPan } from '../iso8583/mask.js';
import { looksLikePan, maskPansInText } from '../iso8583/pan-in-text.js';
import { splitPointer } from './template.js';

/**
 * Card data and secrets out of JSON bodies and HTTP headers, for journals, traces and reports
 * (ARCHITECTURE rule 7). The API version names where its PAN and other card data sit; as a safety
 * net, any run of 12-19 digits that passes the Luhn check is masked too (a whole value or inside
 * text), and keys that always hold secrets (cvc, track data, PIN block) are hidden wherever they appear.
 */

/** Keys whose value is a secret wherever they appear, compared lower-cased without `_` and `-`. */
const SECRET_KEYS = new Set([
  'cvc',
  'cvv',
  'cvc2',
  'cvv2',
  'cvn',
  'csc',
  'cvd',
  'securitycode',
  'cardsecuritycode',
  'cardverificationcode',
  'cardcode',
  'cardverificationvalue',
  'track1',
  'track2',
  'track3',
  'trackdata',
  'track1data',
  'track2data',
  'pin',
  'pinblock',
  'encryptedcardnumber',
  'encryptedsecuritycode',
  // Credentials a terminal may put in a body: the gateway's own key, a password.
  'apikey',
  'secret',
  'secretkey',
  'clientsecret',
  'password',
]);
const SEPARATORS = /[_-]/g;
// Card codes, PINs and credentials under a prefix: card_cvv, cardCVC2, card_pin_block,
// merchant_api_key, terminal_password, auth_token …
const SECRET_SUFFIX =
  /(cvc|cvv|cvn|csc|cvd)2?$|(pin|pinblock|apikey|secret|secretkey|password|passwd|token|track[123](data)?|trackdata)$/;
// …or as one word of a longer name whose other words say it is the value itself: cvc_code,
// pinCode, cvv-value; not a result about it (cvc_check, cvv_result, pin_entry_mode, pinVerified).
const VALUE_WORDS = new Set(['code', 'value', 'number', 'data', 'digits', 'block', 'card', 'text']);
const SECRET_WORDS = new Set([
  'cvc',
  'cvv',
  'cvn',
  'csc',
  'cvd',
  'cvc2',
  'cvv2',
  'pin',
  'pinblock',
  'password',
  'passwd',
  'secret',
]);
const WORDS = /[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])/;
const isSecretKey = (key: string): boolean => {
  const k = key.toLowerCase().replace(SEPARATORS, '');
  if (SECRET_KEYS.has(k) || SECRET_SUFFIX.test(k)) return true;
  const words = key
    .split(WORDS)
    .filter((w) => w !== '')
    .map((w) => w.toLowerCase());
  return (
    words.some((w) => SECRET_WORDS.has(w)) && words.every((w) => SECRET_WORDS.has(w) || VALUE_WORDS.has(w))
  );
};

/**
 * Every occurrence of a known credential (the gateway's own test keys) in a text, down to its last
 * 4 characters: a terminal may put one anywhere (a body member, a header of its own, the query).
 */
export function withoutSecrets(text: string, secrets: readonly string[] | undefined): string {
  if (!secrets) return text;
  let out = text;
  for (const s of secrets)
    if (s.length >= 8 && out.includes(s)) out = out.split(s).join(`****${s.slice(-4)}`);
  return out;
}

/** decodeURIComponent, or the text as it is when it is no valid escape sequence. */
function decoded(text: string): string {
  if (!text.includes('%') && !text.includes('+')) return text;
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

const SECRET_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'apikey',
]);

export interface JsonMaskRules {
  /** Pointers whose value is a PAN: masked first 6 + last 4 whatever it looks like. */
  pans?: readonly string[];
  /** Pointers whose value is hidden entirely (CVC, track data). */
  hidden?: readonly string[];
  /** Credentials masked wherever they appear, e.g. the gateway's own API keys. */
  secrets?: readonly string[];
}

/** A masked copy of a JSON value; the input is never changed. */
export function maskJson(value: unknown, rules: JsonMaskRules = {}): unknown {
  const pans = new Set((rules.pans ?? []).map((p) => splitPointer(p).join('\u0000')));
  const hidden = new Set((rules.hidden ?? []).map((p) => splitPointer(p).join('\u0000')));
  const walk = (node: unknown, path: string[], key: string | undefined): unknown => {
    const at = path.join('\u0000');
    if (hidden.has(at) || (key !== undefined && isSecretKey(key))) return hide(node);
    if (typeof node === 'string') {
      if (pans.has(at) || looksLikePan(node)) return maskPan(node);
      return withoutSecrets(maskPansInText(node), rules.secrets);
    }
    if (typeof node === 'number') {
      const digits = Number.isSafeInteger(node) ? String(node) : '';
      return pans.has(at) || looksLikePan(digits) ? maskPan(String(node)) : node;
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, String(i)], undefined));
    if (typeof node === 'object' && node !== null) {
      const out: Record<string, unknown> = {};
      // A member's name is masked too: a terminal may key an object by card number.
      for (const [k, v] of Object.entries(node)) out[maskPansInText(k)] = walk(v, [...path, k], k);
      return out;
    }
    return node;
  };
  return walk(value, [], undefined);
}

function hide(value: unknown): string {
  if (value === undefined || value === null) return '[hidden]';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return `[hidden: ${text.length} chars]`;
}

export { looksLikePan };

/**
 * Header names lower-cased, values joined, secrets masked: the scheme of an Authorization header and
 * the last 4 characters of a key stay (to tell which test key was used), nothing else.
 */
export function maskHeaders(
  headers: Readonly<Record<string, string | string[] | number | undefined>>,
  secret: Iterable<string> = [],
  /** Credentials masked in any header's value (the gateway's own API keys). */
  secrets?: readonly string[],
): Record<string, string> {
  const extra = new Set([...secret].map((h) => h.toLowerCase()));
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers)) {
    if (raw === undefined) continue;
    const key = name.toLowerCase();
    const value = Array.isArray(raw) ? raw.join(', ') : String(raw);
    // Any other header may carry a card number too (an idempotency key made of the PAN, say), in
    // its value or even its name.
    // A header named for a secret (X-Card-CVV, X-PIN-Block, X-Auth-Token) is hidden like a body member.
    out[maskPansInText(key)] =
      SECRET_HEADERS.has(key) || extra.has(key)
        ? maskSecret(value)
        : isSecretKey(key)
          ? hide(value)
          : withoutSecrets(maskPansInText(value), secrets);
  }
  return out;
}

/** Query parameters whose value is a credential, compared lower-cased. */
const SECRET_PARAMS = /key|token|secret|password|passwd|signature|auth/;

/**
 * A request's path and query string as the journal and logs show them: card numbers masked where
 * they stand (`/payments/411111******1111`), a credential passed as a parameter (`?api_key=…`)
 * masked as its header would be, and card-data parameters (cvc, track2 …) hidden.
 */
export function maskUrl(url: string, secrets?: readonly string[]): string {
  const q = url.indexOf('?');
  const path = maskEncoded(q < 0 ? url : url.slice(0, q), secrets);
  if (q < 0) return path;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return maskEncoded(pair, secrets);
      const name = maskEncoded(pair.slice(0, eq), secrets);
      const value = pair.slice(eq + 1);
      // card[cvc], c%76v: the name as the server reads it, brackets aside.
      const key = decoded(pair.slice(0, eq)).toLowerCase().replace(/[[\]]/g, '');
      if (SECRET_PARAMS.test(key)) return `${name}=${maskSecret(decoded(value))}`;
      if (isSecretKey(key)) return `${name}=${hide(decoded(value))}`;
      return `${name}=${maskEncoded(value, secrets)}`;
    })
    .join('&');
  return `${path}?${query}`;
}

/**
 * Part of a URL with card numbers and credentials masked, read as the server reads it: when
 * decoding (%35, %20, +) shows one, the part is shown decoded, masked.
 */
function maskEncoded(part: string, secrets: readonly string[] | undefined): string {
  const plain = decoded(part);
  const masked = withoutSecrets(maskPansInText(plain), secrets);
  if (plain === part) return masked;
  return masked === plain ? withoutSecrets(maskPansInText(part), secrets) : masked;
}

function maskSecret(value: string): string {
  const m = /^([A-Za-z]+) +(.*)$/.exec(value);
  const [scheme, secret] = m ? [`${m[1]} `, m[2]!] : ['', value];
  // Basic credentials are base64 of "key:": their tail says nothing useful and would leak bits of it.
  if (scheme.toLowerCase() === 'basic ') return 'Basic ****';
  return `${scheme}****${secret.length > 8 ? secret.slice(-4) : ''}`;
}
