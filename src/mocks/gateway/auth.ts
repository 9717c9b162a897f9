import type { SecurityScheme } from '../../protocols/rest/api-loader.js';

export type AuthResult = { ok: true; key: string } | { ok: false; problem: string };

const PUBLIC: AuthResult = { ok: true, key: '' };

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
  let problem = '';
  for (const schemes of alternatives) {
    let key = '';
    for (const scheme of schemes) {
      const found = credential(headers[scheme.header], scheme);
      if (found === undefined) {
        problem ||= `No API key was sent (${describe(scheme)}).`;
        key = '';
        break;
      }
      if (!keys.has(found)) {
        problem = 'The API key is not known.';
        key = '';
        break;
      }
      key = found;
    }
    if (key !== '' || schemes.length === 0) return { ok: true, key };
  }
  return { ok: false, problem };
}

function credential(raw: string | string[] | undefined, scheme: SecurityScheme): string | undefined {
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || value === '') return undefined;
  if (scheme.kind === 'header') return value.trim();
  const space = value.indexOf(' ');
  if (space < 0) return undefined;
  const kind = value.slice(0, space).toLowerCase();
  const rest = value.slice(space + 1).trim();
  if (scheme.kind === 'bearer') return kind === 'bearer' && rest !== '' ? rest : undefined;
  if (kind !== 'basic') return undefined;
  const decoded = Buffer.from(rest, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon < 0 ? decoded : decoded.slice(0, colon);
  return user === '' ? undefined : user;
}

function describe(scheme: SecurityScheme): string {
  if (scheme.kind === 'header') return `expected in the ${scheme.header} header`;
  return `expected as Authorization: ${scheme.kind === 'bearer' ? 'Bearer' : 'Basic'} …`;
}
