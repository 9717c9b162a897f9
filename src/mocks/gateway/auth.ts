import { Buffer } from 'node:buffer';
import type { SecurityScheme } from '../../protocols/rest/api-loader.js';

export type AuthResult = { ok: true; key: string } | { ok: false; problem: string };

const PUBLIC: AuthResult = { ok: true, key: '' };

/** Authorization schemes in use besides Bearer and Basic (IANA's registry and common API ones). */
const KNOWN_SCHEMES = new Set([
  'token',
  'digest',
  'negotiate',
  'ntlm',
  'hoba',
  'mutual',
  'oauth',
  'hawk',
  'dpop',
  'apikey',
  'api-key',
  'key',
  'scram-sha-256',
  'aws4-hmac-sha256',
]);

/**
 * Checks a request against the operation's security (alternatives, each a set of schemes the API
 * version declares) and the gateway version's test keys. Bearer: `Authorization: Bearer <key>`;
 * basic: the key as user name (any password); header: the key as the header's value.
 */
export function authenticate(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  alternatives: readonly (readonly SecurityScheme[])[],
  keys: ReadonlySet<string>,
): AuthResult {
  if (alternatives.length === 0) return PUBLIC;
  // What went wrong, the most telling first: a key we do not know, then credentials we could not
  // read (another scheme, an empty Basic user), then none at all.
  let unknown = false;
  let unreadable = '';
  for (const schemes of alternatives) {
    let key = '';
    for (const scheme of schemes) {
      const found = credential(headers[scheme.header], scheme);
      if (typeof found !== 'string') {
        if (found.unreadable) unreadable ||= found.unreadable;
        key = '';
        break;
      }
      if (!keys.has(found)) {
        unknown = true;
        key = '';
        break;
      }
      key = found;
    }
    if (key !== '' || schemes.length === 0) return { ok: true, key };
  }
  if (unknown) return { ok: false, problem: 'The API key is not known.' };
  if (unreadable) return { ok: false, problem: `${unreadable} (${expected(alternatives)}).` };
  return { ok: false, problem: `No API key was sent (${expected(alternatives)}).` };
}

/** The key a header carries for a scheme, or why it carries none (unreadable: it is there, but not so). */
function credential(
  raw: string | string[] | undefined,
  scheme: SecurityScheme,
): string | { unreadable?: string } {
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || value === '') return {};
  if (scheme.kind === 'header') return value.trim();
  const space = value.indexOf(' ');
  const kind = (space < 0 ? value : value.slice(0, space)).toLowerCase();
  const rest = space < 0 ? '' : value.slice(space + 1).trim();
  if (kind !== 'bearer' && kind !== 'basic') {
    // Named only when it is a scheme HTTP knows (Token, Digest …): what is sent may be the key itself.
    const word = value.slice(0, space);
    const name =
      space > 0 && KNOWN_SCHEMES.has(word.toLowerCase()) ? `the ${word} scheme` : 'an unknown scheme';
    return { unreadable: `The Authorization header uses ${name}` };
  }
  if (kind !== scheme.kind) return {};
  if (rest === '')
    return {
      unreadable: `The Authorization: ${kind === 'bearer' ? 'Bearer' : 'Basic'} header carries no credentials`,
    };
  if (scheme.kind === 'bearer') return rest;
  // RFC 7617: base64 (padded, RFC 4648) of user-id ":" password. Node decodes any text as base64,
  // skipping what is not: only what encodes back to itself was base64 as a strict server reads it.
  const bytes = Buffer.from(rest, 'base64');
  if (bytes.toString('base64') !== rest)
    return { unreadable: 'The Authorization: Basic credentials are not base64' };
  const decoded = bytes.toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0)
    return { unreadable: 'The Authorization: Basic credentials have no colon (RFC 7617: user-id:password)' };
  const user = decoded.slice(0, colon);
  return user === ''
    ? { unreadable: 'The Authorization: Basic credentials carry no user name (the API key)' }
    : user;
}

/** Where the API version takes its key, every alternative: `as Authorization: Bearer … or …`. */
function expected(alternatives: readonly (readonly SecurityScheme[])[]): string {
  const ways = [...new Set(alternatives.flatMap((schemes) => schemes.map(describe)))];
  return `expected ${ways.join(' or ')}`;
}

function describe(scheme: SecurityScheme): string {
  if (scheme.kind === 'header') return `in the ${scheme.header} header`;
  return `as Authorization: ${scheme.kind === 'bearer' ? 'Bearer' : 'Basic'} …`;
}

/**
 * The WWW-Authenticate challenges a 401 carries (RFC 9110 §11.6.1 requires one): a Bearer or Basic
 * challenge per scheme the operation accepts, with the gateway's name as realm. Undefined when it
 * takes only API-key headers, which no HTTP challenge names (and which real gateways send without).
 */
export function authChallenges(
  alternatives: readonly (readonly SecurityScheme[])[],
  realm: string,
): string | undefined {
  const kinds = new Set(alternatives.flatMap((schemes) => schemes.map((s) => s.kind)));
  const quoted = realm.replace(/["\\]/g, '\\$&');
  const challenges = (['bearer', 'basic'] as const)
    .filter((k) => kinds.has(k))
    .map((k) => `${k === 'bearer' ? 'Bearer' : 'Basic'} realm="${quoted}"`);
  return challenges.length > 0 ? challenges.join(', ') : undefined;
}
