import { noResponse as isoNoResponse } from '../iso/no-response.js';
import { defineFault } from '../types.js';

/**
 * no-response on both transports. Over HTTP, lost 'response' means the gateway processed the request
 * and stored its answer under the idempotency key, then nothing came back: a retry with the same key
 * gets that stored answer. lost 'request': the gateway never saw it, so a retry is processed afresh.
 */
export const noResponse = defineFault({
  ...isoNoResponse,
  http: {
    losesRequest: (p) => p.lost === 'request',
    body: () => undefined,
  },
});
