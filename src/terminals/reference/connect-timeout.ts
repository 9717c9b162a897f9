/**
 * Real time a connection on loopback may take whatever the time scale: a TCP connect and a TLS
 * handshake are real work, not host time, and on a loaded machine (shards in parallel on two cores)
 * a handshake can take a hundred milliseconds. Measured: at time scale 0.01 a build's 5 s connect
 * timeout became 50 ms, and 1–17 cells of a run failed on TLS hosts for no fault of the firmware.
 */
export const CONNECT_FLOOR_MS = 1000;

/**
 * A build's connect timeout under a time scale: scaled like every other duration, but never below
 * the floor (nor above the build's own timeout: at time scale 1 nothing changes). No mock delays
 * its accept, so a connect that takes this long is the machine, never a scenario's fault.
 */
export function scaledConnectTimeout(ms: number, timeScale: number): number {
  return Math.max(Math.min(ms, CONNECT_FLOOR_MS), Math.max(1, Math.round(ms * timeScale)));
}
