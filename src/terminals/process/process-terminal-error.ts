/**
 * Why an external emulator could not be used: it did not start, exited, hung, wrote something that
 * is not paymatrix-control/1, refused a request or is not the build it claims to be. Carries the
 * tail of the emulator's stderr (masked), which is usually where the real reason is.
 */
export type ProcessErrorCode =
  | 'emulator-start'
  | 'emulator-exited'
  | 'emulator-timeout'
  | 'emulator-protocol'
  | 'emulator-refused'
  | 'emulator-identity'
  | 'emulator-closed'
  | 'not-configured'
  | 'invalid-request';

export class ProcessTerminalError extends Error {
  override readonly name = 'ProcessTerminalError';
  constructor(
    readonly code: ProcessErrorCode,
    message: string,
    /** The last lines the emulator wrote to stderr, card data and keys masked. */
    readonly stderr?: string,
  ) {
    super(stderr ? `${message}\n--- emulator stderr (tail) ---\n${stderr}` : message);
  }

  /** The message without the stderr tail. */
  get reason(): string {
    return this.stderr ? this.message.slice(0, this.message.indexOf('\n--- emulator stderr')) : this.message;
  }
}
