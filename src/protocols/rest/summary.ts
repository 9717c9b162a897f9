import type { ApiOperation } from './api-loader.js';
import { formatMinor } from './minor-units.js';
import { readPointer } from './template.js';

/**
 * One line for a request, the same on the gateway's journal and the client's trace:
 * `POST /v1/payment_intents authorize 10.00 USD`. Never card data: only the operation and amount.
 */
export function requestSummary(
  method: string,
  path: string,
  op: ApiOperation | undefined,
  body: unknown,
): string {
  let line = `${method} ${path}`;
  if (!op) return line;
  line += ` ${op.action ?? op.operationId}`;
  const amount = op.request.amount ? readPointer(body, op.request.amount) : undefined;
  if (typeof amount === 'number') {
    const currency = op.request.currency ? readPointer(body, op.request.currency) : undefined;
    const code = typeof currency === 'string' ? currency.toUpperCase() : undefined;
    line += ` ${formatMinor(amount, code)}${code ? ` ${code}` : ''}`;
  }
  return line;
}
