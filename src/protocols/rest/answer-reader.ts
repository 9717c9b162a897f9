import type { ApiOperation, ApiVersion } from './api-loader.js';
import type { PaymentState } from './api-schema.js';
import { readPointer } from './template.js';

/** What an answer means, read through the API version's templates. */
export interface GatewayResult {
  /** The payment's id, when the answer carries the payment resource. */
  paymentId?: string;
  /** The status as the version writes it (`requires_capture`, `Authorised`). */
  status?: string;
  /** The same in the lifecycle's words (the first state the version writes that way). */
  state?: PaymentState;
  /** The decline code or refusal reason, when declined. */
  declineCode?: string;
  /** An error answer's code (`card_declined`, `137`). */
  errorCode?: string;
  errorMessage?: string;
}

/**
 * Reads an answer of `op` through the API version's payment and error templates: the payment id,
 * status word and state of a 2xx, the code and message of an error, the decline code of either.
 * The terminal's client reads its answers with it, and scenarios read the journal's the same way.
 */
export function readAnswer(
  api: ApiVersion,
  op: ApiOperation | undefined,
  status: number,
  json: unknown,
): GatewayResult {
  const at = (name: string, template: 'payment' | 'error') => api[template].placeholders.get(name);
  const read = (pointer: string | undefined) => {
    const v = pointer === undefined ? undefined : readPointer(json, pointer);
    return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
  };
  const out: GatewayResult = {};
  const ok = status >= 200 && status < 300;
  const source = ok ? 'payment' : 'error';
  if (ok) {
    const id = read(at('id', 'payment'));
    if (id !== undefined) out.paymentId = id;
    const word = read(at('status', 'payment'));
    if (word !== undefined) {
      out.status = word;
      const state = (Object.entries(api.binding.statuses) as Array<[PaymentState, string]>).find(
        ([, w]) => w === word,
      )?.[0];
      if (state) out.state = state;
    }
  } else {
    const code = read(at('code', 'error'));
    if (code !== undefined) out.errorCode = code;
    const message = read(at('message', 'error'));
    if (message !== undefined) out.errorMessage = message;
    // A payment embedded in the error (a decline) still names the payment.
    const embedded = at('payment', 'error');
    const paymentAt = at('id', 'payment');
    if (embedded !== undefined && paymentAt !== undefined) {
      const id = read(embedded + paymentAt);
      if (id !== undefined) out.paymentId = id;
    }
    if (op?.action === 'authorize' && code !== undefined) out.state = 'declined';
  }
  const decline = read(at('declineCode', source));
  if (decline !== undefined) out.declineCode = decline;
  return out;
}
