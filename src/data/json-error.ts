/**
 * Why JSON.parse refused a text, without the piece of the text V8 quotes in its message
 * (`Unexpected token ']', "[4111111111111111,]" is not valid JSON`): the text may hold a card
 * number, and the reason goes to journals, logs and answers.
 */
export function jsonErrorMessage(err: unknown): string {
  return (err as Error).message.replace(/, ".*" is not valid JSON$/s, '');
}
