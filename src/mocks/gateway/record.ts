import { type JsonMaskRules, maskHeaders, maskJson } from '../../protocols/rest/mask.js';
import type { RecordedMessage } from '../exchange.js';

type RawHeaders = Readonly<Record<string, string | string[] | number | undefined>>;

/**
 * HTTP messages as the journal keeps them. The identity (method, path, operation, status) is there
 * at once, for metrics and log lines; headers and body are masked when first read. Masking every
 * body up front cost a large share of a busy gateway's time, and most journals are read once at the
 * end, if at all: the raw parts wait in memory until then — the body as the text on the wire, one
 * string rather than a JSON tree — and everything that leaves the process goes through the masked
 * view. Getters written in the literal are own enumerable properties, so JSON.stringify and
 * structuredClone see plain values; the literals have one shape each (no conditional spreads on
 * the hot path).
 */

export interface MaskContext {
  /** Where card data sits in the body. */
  mask: JsonMaskRules;
  /** Headers that carry secrets besides the usual ones (the API version's key header). */
  secretHeaders: readonly string[];
}

export function lazyHttpRequest(
  summary: string,
  method: string,
  path: string,
  operation: string | undefined,
  headers: RawHeaders,
  text: string | undefined,
  ctx: MaskContext,
): RecordedMessage {
  const view = new LazyView(headers, text, ctx);
  return {
    summary,
    size: text === undefined ? 0 : Buffer.byteLength(text),
    http: {
      method,
      path,
      operation,
      get headers() {
        return view.headers();
      },
      get body() {
        return view.body();
      },
    },
  };
}

export function lazyHttpResponse(
  summary: string,
  status: number,
  headers: RawHeaders,
  text: string,
  ctx: MaskContext,
): RecordedMessage {
  const view = new LazyView(headers, text, ctx);
  return {
    summary,
    size: Buffer.byteLength(text),
    http: {
      status,
      get headers() {
        return view.headers();
      },
      get body() {
        return view.body();
      },
    },
  };
}

class LazyView {
  #headers: Record<string, string> | undefined;
  #body: unknown;
  #masked = false;

  constructor(
    private readonly rawHeaders: RawHeaders,
    private readonly text: string | undefined,
    private readonly ctx: MaskContext,
  ) {}

  headers(): Record<string, string> {
    this.#headers ??= maskHeaders(this.rawHeaders, this.ctx.secretHeaders);
    return this.#headers;
  }

  body(): unknown {
    if (!this.#masked) {
      this.#body =
        this.text === undefined || this.text === '' ? undefined : maskJson(parse(this.text), this.ctx.mask);
      this.#masked = true;
    }
    return this.#body;
  }
}

/** A body that is not JSON is recorded by its length only: it may hold anything, card data included. */
function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return `[not JSON: ${text.length} chars]`;
  }
}
