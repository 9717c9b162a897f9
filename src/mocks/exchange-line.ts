import type { Exchange } from './exchange.js';

/**
 * An exchange in one line for people: request and answer summaries, the transport event, the
 * faults that fired (`0200 sale 25.00 STAN 000001 → 0210 25.00 STAN 000001 code 00`). Summaries
 * are masked when recorded, so the line never holds card data.
 */
export function exchangeLine(e: Exchange): string {
  const parts: string[] = [];
  if (e.request) parts.push(e.request.summary);
  if (e.response) parts.push(`→ ${e.response.summary}`);
  if (e.event) parts.push(e.event.detail ? `${e.event.kind}: ${e.event.detail}` : e.event.kind);
  if (e.faults.length > 0) parts.push(`[faults: ${e.faults.join(', ')}]`);
  return parts.join(' ');
}
