import type { ApiVersion } from '../../protocols/rest/api-loader.js';
import type { ErrorKind } from '../../protocols/rest/api-schema.js';
import type { TemplateVars } from '../../protocols/rest/template.js';
import { paramName } from '../../protocols/rest/validators.js';
import type { Violation } from '../exchange.js';
import type { HttpAnswer } from '../faults/http/types.js';
import type { Outcome } from '../hosts/host-schema.js';
import type { Payment } from './payments.js';

/**
 * Answers in an API version's own words: the payment resource from its `payment` template and
 * errors from its `errors` template and kinds. Everything version-specific comes from the binding,
 * so the lifecycle code never knows which gateway it plays.
 */

const JSON_TYPE = 'application/json';

/**
 * The headers answers carry (the selected version for header-versioned APIs) with each content
 * type, made once per API version and shared: an answer costs no header copy.
 */
export interface AnswerHeaders {
  readonly payment: Readonly<Record<string, string>>;
  readonly error: Readonly<Record<string, string>>;
}

export function answerHeaders(api: ApiVersion, extra: Record<string, string> = {}): AnswerHeaders {
  return Object.freeze({
    payment: Object.freeze({ ...extra, 'content-type': JSON_TYPE }),
    error: Object.freeze({ ...extra, 'content-type': api.binding.errors.contentType }),
  });
}

export interface ErrorDetails {
  /** Replaces the kind's default message. */
  message?: string;
  /** A status other than the kind's (a 503 from an http-error fault). */
  status?: number;
  /** Rule violations: the first names {param}, all of them {fields}. */
  violations?: readonly Violation[];
  declineCode?: string;
  payment?: Payment;
  paymentId?: string;
}

/** The version's status word for a payment's state. */
export function statusOf(api: ApiVersion, payment: Payment): string {
  return api.binding.statuses[payment.state];
}

/** The version's decline code for a card book outcome (its `*` entry when unlisted). */
export function declineCodeOf(api: ApiVersion, outcome: Outcome): string {
  const codes = api.binding.declines.codes as Record<string, string | undefined>;
  return codes[outcome] ?? codes['*']!;
}

/**
 * What a payment template reads. A class with getters: a value is computed only when the
 * version's template names it (`{createdAt}` formats a date, most templates never ask).
 */
export class PaymentVars {
  constructor(
    private readonly api: ApiVersion,
    private readonly payment: Payment,
    readonly requestId: string,
  ) {}
  get echo(): Readonly<Record<string, unknown>> {
    return this.payment.echo;
  }
  get id(): string {
    return this.payment.id;
  }
  get amount(): number {
    return this.payment.amount;
  }
  get currency(): string {
    const c = this.payment.currency;
    return this.api.binding.currencyCase === 'lower' ? c.toLowerCase() : c;
  }
  get status(): string {
    return statusOf(this.api, this.payment);
  }
  get capturedAmount(): number {
    return this.payment.captured;
  }
  get capturableAmount(): number {
    return this.payment.state === 'authorized' ? this.payment.amount : 0;
  }
  get refundedAmount(): number {
    return this.payment.refunded;
  }
  get created(): number {
    return Math.floor(this.payment.createdMs / 1000);
  }
  get createdAt(): string {
    return new Date(this.payment.createdMs).toISOString();
  }
  get declineCode(): string | undefined {
    return this.payment.state === 'declined' ? declineCodeOf(this.api, this.payment.outcome) : undefined;
  }
  get cardLast4(): string | undefined {
    return this.payment.cardLast4;
  }
  get cardScheme(): string | undefined {
    return this.payment.cardScheme;
  }
}

/** The payment resource, answered with the operation's success status. */
export function paymentAnswer(
  api: ApiVersion,
  payment: Payment,
  status: number,
  requestId: string,
  headers: AnswerHeaders,
): HttpAnswer {
  const vars = new PaymentVars(api, payment, requestId);
  return {
    status,
    headers: headers.payment,
    body: api.payment.render(vars as unknown as TemplateVars),
    summary: paymentSummary(status, vars, payment),
  };
}

function paymentSummary(status: number, vars: PaymentVars, payment: Payment): string {
  const parts = [String(status), vars.status];
  if (payment.state === 'declined') parts.push(vars.declineCode!);
  parts.push(payment.id);
  return parts.join(' ');
}

/**
 * An answer whose body exists only as JSON text (one stored for an idempotency key): `body` is
 * parsed from `text` when first read (a fault, the response-contract check), not on every replay.
 * It is an own enumerable accessor, so a spread copy or JSON.stringify sees it like a plain value.
 */
export class TextAnswer implements HttpAnswer {
  #body: unknown;
  #parsed = false;

  constructor(
    public status: number,
    public headers: Record<string, string>,
    /** The body as sent ('' for none). */
    readonly text: string,
    public summary: string | undefined,
  ) {
    Object.defineProperty(this, 'body', TEXT_ANSWER_BODY);
  }

  get body(): unknown {
    if (!this.#parsed) {
      this.#body = this.text === '' ? undefined : JSON.parse(this.text);
      this.#parsed = true;
    }
    return this.#body;
  }
}

const TEXT_ANSWER_BODY: PropertyDescriptor = {
  get: Object.getOwnPropertyDescriptor(TextAnswer.prototype, 'body')!.get,
  enumerable: true,
  configurable: true,
};

/** An error in the version's shape: its template filled with the kind's status, type, code and wording. */
export function errorAnswer(
  api: ApiVersion,
  kind: ErrorKind,
  details: ErrorDetails,
  requestId: string,
  headers: AnswerHeaders,
): HttpAnswer {
  const spec = api.binding.errors.kinds[kind];
  const status = details.status ?? spec.status;
  const first = details.violations?.[0];
  const vars: TemplateVars = {
    status,
    type: spec.type,
    code: spec.code,
    title: spec.title,
    message: details.message ?? spec.message,
    param: first ? paramName(first.path) || undefined : undefined,
    fields:
      details.violations && details.violations.length > 0
        ? details.violations.map((v) => ({ name: paramName(v.path) || 'body', message: v.message }))
        : undefined,
    declineCode: details.declineCode,
    payment:
      details.payment &&
      api.payment.render(new PaymentVars(api, details.payment, requestId) as unknown as TemplateVars),
    paymentId: details.paymentId ?? details.payment?.id,
    requestId,
  };
  const label = [spec.code ?? kind, details.declineCode].filter(Boolean).join(' ');
  return {
    status,
    headers: headers.error,
    body: api.error.render(vars),
    summary: `${status} ${label}${first ? `: ${first.message}` : ''}`,
  };
}
