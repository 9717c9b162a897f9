import type { ApiOperation, ApiVersion } from '../../protocols/rest/api-loader.js';
import type { RequestMapping } from '../../protocols/rest/api-schema.js';
import { pointerReader, readPointer } from '../../protocols/rest/template.js';
import type { HttpAnswer } from '../faults/http/types.js';
import type { CardBook } from '../hosts/card-book.js';
import { decideCard, triggerReason } from '../hosts/card-decision.js';
import type { MessageKind } from '../hosts/host-schema.js';
import { type AnswerHeaders, declineCodeOf, errorAnswer, paymentAnswer, statusOf } from './answers.js';
import { yymm } from './decide.js';
import {
  applyCancel,
  applyCapture,
  applyRefund,
  type Payment,
  type PaymentStore,
  planCancel,
  planCapture,
  planRefund,
  type Refusal,
} from './payments.js';

/** What the lifecycle needs from the running gateway. */
export interface LifecycleContext {
  readonly cards: CardBook;
  readonly payments: PaymentStore;
  now(): Date;
  /** The same clock in ms since the epoch, when it can say so without making a Date (the default clock). */
  nowMs?(): number;
  /** This front end's name (`primary`, `backup`), recorded on the payments it takes. */
  readonly label?: string;
}

/** One validated, authenticated request bound to a lifecycle action. */
export interface ActionRequest {
  api: ApiVersion;
  op: ApiOperation;
  body: unknown;
  params: Readonly<Record<string, string>>;
  requestId: string;
  /** Headers every answer of this request carries (e.g. the selected version). */
  headers: AnswerHeaders;
}

export interface ActionResult {
  answer: HttpAnswer;
  /** The issuer's extra time (a card trigger), before time scaling. */
  delayMs: number;
  /** Why the card book declined, or answered late (Exchange.notes). */
  notes?: string[];
}

/**
 * Runs one lifecycle action: authorize (capture now or later), capture (full or partial), cancel,
 * refund (full or partial), retrieve. Transitions the state allows change the payment; the others
 * are refused with the version's invalid-state or amount-too-large error. Card outcomes come from
 * the card book, in the version's decline vocabulary.
 */
export function runAction(ctx: LifecycleContext, req: ActionRequest): ActionResult {
  const { api, op } = req;
  if (op.action === 'authorize') return authorize(ctx, req);
  const id = req.params[op.paymentIdParam!] ?? '';
  const payment = ctx.payments.get(id);
  const fail = (kind: Parameters<typeof errorAnswer>[1], details: Parameters<typeof errorAnswer>[2]) => ({
    answer: errorAnswer(api, kind, details, req.requestId, req.headers),
    delayMs: 0,
  });
  if (!payment) return fail('not-found', { message: `No such payment: ${id}`, paymentId: id });
  const ok = (): ActionResult => ({
    answer: paymentAnswer(api, payment, op.successStatus, req.requestId, req.headers),
    delayMs: 0,
  });
  const refused = (r: Refusal): ActionResult =>
    fail(r.kind, { message: `${r.message} (status ${statusOf(api, payment)})`, payment });
  const amount = amountOf(req.body, op.request.amount);
  // A capture or refund in another currency than the payment's moves no money the issuer knows of.
  const currency = op.request.currency ? readPointer(req.body, op.request.currency) : undefined;
  if (
    (op.action === 'capture' || op.action === 'refund') &&
    typeof currency === 'string' &&
    upperCurrency(currency) !== payment.currency
  ) {
    return fail('invalid-request', {
      message: `the ${op.action} is in ${currency}, the payment in ${payment.currency}`,
    });
  }

  switch (op.action) {
    case 'retrieve':
      return ok();
    case 'cancel': {
      const r = planCancel(payment, api.binding.cancelDeclined ?? false);
      if (r) return refused(r);
      applyCancel(payment);
      return ok();
    }
    case 'capture': {
      const r = planCapture(payment, amount);
      if (typeof r !== 'number') return refused(r);
      applyCapture(payment, r);
      return ok();
    }
    case 'refund': {
      const r = planRefund(payment, amount);
      if (typeof r !== 'number') return refused(r);
      // The card book may refuse a refund too (e.g. above the test merchant's refund limit).
      const card = payment.cardId ? ctx.cards.list().find((c) => c.id === payment.cardId) : undefined;
      const trigger = card && ctx.cards.triggerFor(card, r, 'refund');
      if (trigger && trigger.outcome !== 'approved') {
        return {
          notes: [triggerReason(card, trigger, r)],
          answer: errorAnswer(
            api,
            'card-declined',
            { declineCode: declineCodeOf(api, trigger.outcome), payment },
            req.requestId,
            req.headers,
          ),
          delayMs: trigger.delayMs ?? 0,
        };
      }
      applyRefund(payment, r);
      return { ...ok(), delayMs: trigger?.delayMs ?? 0 };
    }
    default:
      return fail('not-found', { message: `${op.operationId} is not served by this mock` });
  }
}

/** The authorize operation's pointers as functions, compiled on its first request. */
interface AuthorizeReaders {
  amount: Reader;
  currency: Reader;
  capture: Reader;
  pan: Reader;
  expiryMonth: Reader | undefined;
  expiryYear: Reader | undefined;
}
type Reader = (body: unknown) => unknown;
const absent: Reader = () => undefined;
const authorizeReaders = new WeakMap<RequestMapping, AuthorizeReaders>();

function readersOf(map: RequestMapping): AuthorizeReaders {
  let r = authorizeReaders.get(map);
  if (!r) {
    const reader = (p: string | undefined) => (p ? pointerReader(p) : absent);
    const both = map.expiryMonth && map.expiryYear;
    r = {
      amount: reader(map.amount),
      currency: reader(map.currency),
      capture: reader(map.capture?.pointer),
      pan: reader(map.pan),
      expiryMonth: both ? reader(map.expiryMonth) : undefined,
      expiryYear: both ? reader(map.expiryYear) : undefined,
    };
    authorizeReaders.set(map, r);
  }
  return r;
}

function authorize(ctx: LifecycleContext, req: ActionRequest): ActionResult {
  const { api, op, body } = req;
  const map = op.request;
  const read = readersOf(map);
  const amountRaw = read.amount(body);
  const amount = typeof amountRaw === 'number' && Number.isInteger(amountRaw) ? amountRaw : 0;
  const currencyRaw = read.currency(body);
  const currency = typeof currencyRaw === 'string' ? upperCurrency(currencyRaw) : 'XXX';
  let capture = map.capture?.default ?? true;
  if (map.capture) {
    const v = read.capture(body);
    if (v !== undefined) capture = 'equals' in map.capture ? v === map.capture.equals : v === true;
  }
  const panRaw = read.pan(body);
  const pan = typeof panRaw === 'string' || typeof panRaw === 'number' ? String(panRaw) : undefined;
  const expiry =
    read.expiryMonth && read.expiryYear ? yymm(read.expiryMonth(body), read.expiryYear(body)) : undefined;
  const nowMs = ctx.nowMs ? ctx.nowMs() : ctx.now().getTime();
  const kind: MessageKind = capture ? 'sale' : 'authorization';
  const decision = decideCard({
    cards: ctx.cards,
    pan,
    expiry,
    amount,
    kind,
    todayYymm: todayYymm(nowMs),
    debits: true,
  });
  const echo = api.payment.echo(body);
  const approved = decision.outcome === 'approved';
  // One shape for every payment (no conditional spreads): thousands are kept.
  const payment: Payment = {
    id: ctx.payments.newId(api.binding.idPrefix),
    state: approved ? (capture ? 'captured' : 'authorized') : 'declined',
    amount,
    currency,
    captured: approved && capture ? amount : 0,
    refunded: 0,
    createdMs: nowMs,
    outcome: decision.outcome,
    cardId: decision.card?.id,
    cardLast4: pan && pan.length >= 4 ? pan.slice(-4) : undefined,
    cardScheme: decision.card?.scheme,
    echo,
    via: ctx.label,
  };
  ctx.payments.add(payment);
  const notes = decision.reason === undefined ? undefined : [decision.reason];
  if (!approved && api.binding.declines.as === 'error') {
    return {
      notes,
      answer: errorAnswer(
        api,
        'card-declined',
        { declineCode: declineCodeOf(api, decision.outcome), payment },
        req.requestId,
        req.headers,
      ),
      delayMs: decision.delayMs,
    };
  }
  return {
    answer: paymentAnswer(api, payment, op.successStatus, req.requestId, req.headers),
    delayMs: decision.delayMs,
    notes,
  };
}

/** An integer amount at the pointer; undefined when absent or not an integer (the schema said so already). */
function amountOf(body: unknown, pointer: string | undefined): number | undefined {
  if (!pointer) return undefined;
  const v = readPointer(body, pointer);
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}

// Today as YYMM, worked out once per day rather than per payment.
let dayCached = Number.NaN;
let yymmCached = '';
function todayYymm(nowMs: number): string {
  const day = Math.floor(nowMs / 86_400_000);
  if (day !== dayCached) {
    dayCached = day;
    const now = new Date(nowMs);
    yymmCached = `${String(now.getUTCFullYear() % 100).padStart(2, '0')}${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
  }
  return yymmCached;
}

// Every payment keeps its currency: one shared string per code rather than a fresh one each time.
const currencies = new Map<string, string>();
function upperCurrency(code: string): string {
  let upper = currencies.get(code);
  if (upper === undefined) {
    upper = code.toUpperCase();
    if (currencies.size < 1000) currencies.set(code, upper);
  }
  return upper;
}
