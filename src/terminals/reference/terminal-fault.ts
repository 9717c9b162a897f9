/**
 * Something that stops the reference terminal from carrying out a transaction on its own side (no
 * key to MAC with, a template that does not fit, no configuration): the outcome becomes `error`
 * with this code. Host behaviour never throws this; it becomes declined or timed-out instead.
 */
export class TerminalFault extends Error {
  override readonly name = 'TerminalFault';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
