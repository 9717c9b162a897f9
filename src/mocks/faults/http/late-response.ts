import { lateResponse as isoLateResponse } from '../iso/late-response.js';
import { defineFault } from '../types.js';

/** late-response on both transports: the gateway's answer (already stored for its idempotency key) comes after delayMs. */
export const lateResponse = defineFault({
  ...isoLateResponse,
  http: {
    delay: (_ctx, p) => p.delayMs,
  },
});
