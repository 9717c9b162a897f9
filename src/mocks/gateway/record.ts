import { Buffer } from 'node:buffer';
import { maskPansInText } from '../../protocols/iso8583/index.js';
import type { ApiOperation } from '../../protocols/rest/api-loader.js';
import { type JsonMaskRules, maskHeaders, maskJson, maskUrl } from '../../protocols/rest/mask.js';
import { requestSummary } from '../../protocols/rest/summary.js';
import type { Exchange, RecordedMessage, Violation } from '../exchange.js';

type RawHeaders = Readonly<Record<string, string | string[] | number | undefined>>;

/**
 * HTTP exchanges as the journal keeps them. A busy gateway records thousands of exchanges a second
 * and most journals are read once at the end, if at all, so an entry holds the raw parts — the
 * request's header lines, both bodies as the text on the wire — and builds the masked messages when
 * first read. Everything that leaves the process goes through those masked
 * views.
 *
 * One object per exchange: each object a journal keeps is copied twice by V8's young-generation
 * collector before it settles in the old generation, and an entry of five objects with getters
 * written in object literals (a fresh closure pair and a map of its own each) cost about 2.3 KB and
 * a large share of a busy gateway's garbage-collection time. Classes keep one shape for all:
 * `request`/`response` and the masked `headers`/`body` are own enumerable accessors sharing the
 * class's getters (see ownAccessor), and `toJSON()` hands out plain data in a fixed key order.
 */

export interface MaskContext {
  /** Where card data sits in the body. */
  mask: JsonMaskRules;
  /** Headers that carry secrets besides the usual ones (the API version's key header). */
  secretHeaders: readonly string[];
}

/** What the record keeps of the answer sent: its status, shared headers and summary (never the body tree). */
interface SentAnswer {
  status: number;
  headers: RawHeaders;
  summary?: string;
}

/**
 * One gateway exchange with a request (and usually an answer). Its fields are flat (no object per
 * part): the request's method, URL, routed operation, raw header lines joined into one string (the
 * header object node builds holds a dozen strings and two objects) and body text; the answer's
 * status, shared headers, summary and body text (the same string the idempotency store keeps).
 */
export class HttpExchangeRecord implements Exchange {
  /** Set by the journal. */
  seq = 0;
  readonly transport = 'http' as const;
  readonly host: string;
  readonly connection: number;
  readonly at: string;
  // The journal may mask a card number these quote (maskQuotedCardData).
  event: Exchange['event'];
  readonly durationMs: number | undefined;
  notes: string[] | undefined;
  violations: Violation[];
  readonly faults: string[];
  readonly #method: string;
  readonly #url: string;
  readonly #op: ApiOperation | undefined;
  /** Node's rawHeaders (name, value, name, value …) joined with newlines, which HTTP forbids inside them. */
  readonly #rawHeaders: string;
  readonly #text: string | undefined;
  readonly #json: boolean;
  readonly #status: number | undefined;
  readonly #answerHeaders: RawHeaders | undefined;
  readonly #answerText: string;
  readonly #answerSummary: string | undefined;
  readonly #ctx: MaskContext;
  #request: RecordedMessage | undefined;
  #response: RecordedMessage | undefined;

  constructor(
    host: string,
    connection: number,
    at: string,
    method: string,
    /** As sent, with the query string. */
    url: string,
    op: ApiOperation | undefined,
    /** As node read them: name, value, name, value … */
    rawHeaders: readonly string[],
    /** The request body text; undefined without one. */
    text: string | undefined,
    /** The gateway read the body as JSON: the summary line shows its amount. */
    json: boolean,
    answer: SentAnswer | undefined,
    answerText: string,
    ctx: MaskContext,
    event: Exchange['event'],
    durationMs: number | undefined,
    violations: Violation[],
    faults: string[],
    notes?: string[],
  ) {
    this.host = host;
    this.connection = connection;
    this.at = at;
    this.event = event;
    this.durationMs = durationMs;
    this.notes = notes;
    this.violations = violations;
    this.faults = faults;
    this.#method = method;
    this.#url = url;
    this.#op = op;
    this.#rawHeaders = rawHeaders.join('\n');
    this.#text = text;
    this.#json = json;
    this.#status = answer?.status;
    this.#answerHeaders = answer?.headers;
    this.#answerText = answerText;
    this.#answerSummary = answer?.summary;
    this.#ctx = ctx;
    Object.defineProperty(this, 'request', RECORD_REQUEST);
    Object.defineProperty(this, 'response', RECORD_RESPONSE);
  }

  /** Characters of message text held: header lines and both bodies (what the journal weighs). */
  get textLength(): number {
    return this.#rawHeaders.length + (this.#text?.length ?? 0) + this.#answerText.length;
  }

  get request(): RecordedMessage {
    if (!this.#request) {
      const text = this.#text;
      const parsed = this.#json && text ? parse(text) : undefined;
      const url = maskUrl(this.#url, this.#ctx.mask.secrets);
      const q = url.indexOf('?');
      const path = q < 0 ? url : url.slice(0, q);
      this.#request = {
        summary: requestSummary(this.#method, path, this.#op, parsed === NOT_JSON ? undefined : parsed),
        size: text === undefined ? 0 : Buffer.byteLength(text),
        http: new HttpRequestView(
          this.#method,
          url,
          this.#op?.operationId,
          headersOf(this.#rawHeaders),
          text,
          this.#ctx,
        ),
      };
    }
    return this.#request;
  }

  get response(): RecordedMessage | undefined {
    const status = this.#status;
    if (status !== undefined && !this.#response) {
      const text = this.#answerText;
      this.#response = {
        // An error's summary may quote what the request sent (a member's name): masked.
        summary: this.#answerSummary === undefined ? String(status) : maskPansInText(this.#answerSummary),
        size: Buffer.byteLength(text),
        http: new HttpResponseView(status, this.#answerHeaders!, text, this.#ctx),
      };
    }
    return this.#response;
  }

  toJSON(): Exchange {
    return {
      seq: this.seq,
      transport: this.transport,
      host: this.host,
      connection: this.connection,
      at: this.at,
      request: this.request,
      response: this.response,
      event: this.event,
      durationMs: this.durationMs,
      notes: this.notes,
      violations: this.violations,
      faults: this.faults,
    };
  }
}

/** The raw parts of one message and their masked views, made on first read. */
abstract class LazyHttpView {
  #headers: Record<string, string> | undefined;
  #body: unknown;
  #masked = false;
  readonly #rawHeaders: RawHeaders;
  readonly #text: string | undefined;
  readonly #ctx: MaskContext;

  constructor(rawHeaders: RawHeaders, text: string | undefined, ctx: MaskContext) {
    this.#rawHeaders = rawHeaders;
    this.#text = text;
    this.#ctx = ctx;
    Object.defineProperty(this, 'headers', VIEW_HEADERS);
    Object.defineProperty(this, 'body', VIEW_BODY);
  }

  /** Secrets (Authorization, API keys) masked. */
  get headers(): Record<string, string> {
    this.#headers ??= maskHeaders(this.#rawHeaders, this.#ctx.secretHeaders, this.#ctx.mask.secrets);
    return this.#headers;
  }

  /** Card data masked; undefined without a body. A body that is not JSON is recorded by its length only. */
  get body(): unknown {
    if (!this.#masked) {
      const text = this.#text;
      if (text !== undefined && text !== '') {
        const parsed = parse(text);
        this.#body =
          parsed === NOT_JSON
            ? `[not JSON: ${text.length} chars]`
            : nestedDeeperThan(parsed, MAX_DEPTH)
              ? // Masking walks the tree: a hostile body nested 100,000 deep would overflow the stack.
                `[JSON nested deeper than ${MAX_DEPTH} levels: ${text.length} chars]`
              : maskJson(parsed, this.#ctx.mask);
      }
      this.#masked = true;
    }
    return this.#body;
  }
}

class HttpRequestView extends LazyHttpView {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly operation: string | undefined,
    rawHeaders: RawHeaders,
    text: string | undefined,
    ctx: MaskContext,
  ) {
    super(rawHeaders, text, ctx);
  }

  toJSON(): NonNullable<RecordedMessage['http']> {
    return {
      method: this.method,
      path: this.path,
      operation: this.operation,
      headers: this.headers,
      body: this.body,
    };
  }
}

class HttpResponseView extends LazyHttpView {
  constructor(
    readonly status: number,
    rawHeaders: RawHeaders,
    text: string,
    ctx: MaskContext,
  ) {
    super(rawHeaders, text, ctx);
  }

  toJSON(): NonNullable<RecordedMessage['http']> {
    return { status: this.status, headers: this.headers, body: this.body };
  }
}

/**
 * An own, enumerable accessor that runs the prototype's getter: a spread copy or a test's toEqual
 * sees the value as with a plain object (as with the ISO host's records), and every instance still
 * shares one map, the getter function being the same.
 */
function ownAccessor(proto: object, name: string): PropertyDescriptor {
  return { get: Object.getOwnPropertyDescriptor(proto, name)!.get, enumerable: true, configurable: true };
}
const RECORD_REQUEST = ownAccessor(HttpExchangeRecord.prototype, 'request');
const RECORD_RESPONSE = ownAccessor(HttpExchangeRecord.prototype, 'response');
const VIEW_HEADERS = ownAccessor(LazyHttpView.prototype, 'headers');
const VIEW_BODY = ownAccessor(LazyHttpView.prototype, 'body');

/** A request recorded outside an exchange record (fastify's own refusals): masked when read, too. */
export function lazyHttpRequest(
  summary: string,
  method: string,
  path: string,
  operation: string | undefined,
  headers: RawHeaders,
  text: string | undefined,
  ctx: MaskContext,
): RecordedMessage {
  return {
    // The summary quotes the path: masked like it.
    summary: maskPansInText(summary),
    size: text === undefined ? 0 : Buffer.byteLength(text),
    http: new HttpRequestView(method, maskUrl(path, ctx.mask.secrets), operation, headers, text, ctx),
  };
}

export function lazyHttpResponse(
  summary: string,
  status: number,
  headers: RawHeaders,
  text: string,
  ctx: MaskContext,
): RecordedMessage {
  return {
    summary: maskPansInText(summary),
    size: Buffer.byteLength(text),
    http: new HttpResponseView(status, headers, text, ctx),
  };
}

/**
 * The header object node would have made of these lines: names lower-cased, a repeated header
 * joined with ', ' ('; ' for cookie), set-cookie as a list, and for the headers node keeps once
 * (content-type, authorization, host …) the first value.
 */
function headersOf(joined: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (joined === '') return out;
  const lines = joined.split('\n');
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const name = lines[i]!.toLowerCase();
    const value = lines[i + 1]!;
    const seen = out[name];
    if (seen === undefined) out[name] = name === 'set-cookie' ? [value] : value;
    else if (Array.isArray(seen)) seen.push(value);
    else if (!SINGLE_HEADERS.has(name)) out[name] = `${seen}${name === 'cookie' ? '; ' : ', '}${value}`;
  }
  return out;
}

// node's http module keeps only the first of these when a request repeats them.
const SINGLE_HEADERS = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
]);

const NOT_JSON: unique symbol = Symbol('not JSON');

/** Levels of a JSON body the journal keeps; no payment API nests anywhere near this. */
const MAX_DEPTH = 64;

/** Whether a parsed JSON value nests deeper than `limit` levels (iterative: any depth is safe). */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= limit) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}
