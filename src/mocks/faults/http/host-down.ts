import { hostDown as isoHostDown } from '../iso/host-down.js';
import { defineFault } from '../types.js';

/**
 * host-down on both transports: the gateway refuses connects, or drops each connection before TLS
 * and HTTP. Accepting is the same on both (the connection contexts are alike), so the ISO half is reused.
 */
const { accept, closesListener } = isoHostDown.iso!;

export const hostDown = defineFault({
  ...isoHostDown,
  http: { accept, closesListener },
});
