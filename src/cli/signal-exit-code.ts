import { constants } from 'node:os';

/**
 * The exit code of a command a signal ended, as a shell reports it: 128 + the signal's number (130
 * for SIGINT, Ctrl-C; 143 for SIGTERM, a cancelled CI job or a stopped container).
 */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + constants.signals[signal];
}
