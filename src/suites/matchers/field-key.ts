import { FIELD_PATH_PATTERN } from '../../mocks/hosts/host-schema.js';

/**
 * How a scenario names a value of a message, so one scenario reads the same on every dialect:
 * a data element or subfield (`4`, `60.1`, `55.9F26`), an alias for the elements every dialect
 * shares (`stan`, `amount` …), `mti`, `mac` (DE64, or DE128 after a secondary bitmap),
 * `original.<path>` — the element of THIS message that carries the original's `<path>`, found
 * through the host version's original-data rule (DE90.2 in 1987, DE56.2 in 1993, DE61.2 or DE11
 * on a CUP host for `original.11`) — or a JSON pointer into a REST body (`/amount`). On a REST
 * message `amount`, `currency` and `pan` read the request body where the API version's operation
 * keeps them (`x-paymatrix-request`), so one scenario reads the same on every gateway.
 */
export type FieldKey =
  /** `alias`: the name it was written as (`amount`), which a REST message reads through its API. */
  | { kind: 'iso'; path: string; label: string; alias?: string }
  | { kind: 'mti'; label: string }
  | { kind: 'mac'; label: string }
  | { kind: 'original'; of: string; label: string }
  | { kind: 'pointer'; pointer: string; label: string };

export const FIELD_ALIASES: Readonly<Record<string, string>> = {
  pan: '2',
  processingCode: '3',
  amount: '4',
  transmittedAt: '7',
  stan: '11',
  entryMode: '22',
  rrn: '37',
  authCode: '38',
  responseCode: '39',
  terminalId: '41',
  merchantId: '42',
  currency: '49',
  pinBlock: '52',
  iccData: '55',
};

const pathRe = new RegExp(FIELD_PATH_PATTERN);

/** The ISO path of a path or alias ('stan' → '11'), or undefined. */
function isoPath(text: string): string | undefined {
  if (pathRe.test(text)) return text;
  return FIELD_ALIASES[text];
}

/** undefined: not a field key (the loader names the allowed forms). */
export function parseFieldKey(key: string): FieldKey | undefined {
  if (key.startsWith('/')) return { kind: 'pointer', pointer: key, label: key };
  if (key === 'mti') return { kind: 'mti', label: 'MTI' };
  if (key === 'mac') return { kind: 'mac', label: 'MAC' };
  if (key.startsWith('original.')) {
    const rest = key.slice('original.'.length);
    const of = rest === 'mti' ? 'mti' : isoPath(rest);
    return of === undefined ? undefined : { kind: 'original', of, label: key };
  }
  const path = isoPath(key);
  if (path === undefined) return undefined;
  if (path === key) return { kind: 'iso', path, label: `DE${path}` };
  return { kind: 'iso', path, label: `${key} (DE${path})`, alias: key };
}

export const FIELD_KEY_HELP =
  'use a data element (4, 60.1, 55.9F26), an alias (' +
  Object.keys(FIELD_ALIASES).join(', ') +
  '), mti, mac, original.<element> or a JSON pointer (/amount)';

/** Reads a JSON pointer (RFC 6901) inside a value. */
export function readPointer(root: unknown, pointer: string): unknown {
  let cur = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur) && /^\d+$/.test(key)) cur = cur[Number(key)];
    else if (cur && typeof cur === 'object') cur = (cur as Record<string, unknown>)[key];
    else return undefined;
  }
  return cur;
}
