/**
 * Defects a build may carry, as the reference terminal models them. Each one is a named switch in
 * the profile (`defects: [no-mac]`) that changes what goes on the wire, so a matrix cell can show
 * which bank upgrade a known field bug runs into. docs/firmware.md describes each.
 */
export const DEFECTS = {
  'no-reversal-on-timeout':
    'a request without an answer is never reversed (no 0400/1420 follows; REST: no cancel or refund follows)',
  'stan-reused-on-retry':
    'the STAN only advances when an answer arrives: the message after a timed-out one reuses its STAN',
  'no-repeat-mti': 'reversal and advice retries go out with the first MTI (0400 again instead of 0401)',
  'legacy-de22': "DE22 carries the 1987 three-digit POS entry mode ('051') whatever the dialect expects",
  'no-de55': 'chip transactions go without DE55 ICC data',
  'no-mac': 'no MAC is sent, and answers are not checked',
  'no-stan-check': 'an answer is taken whatever its STAN (no correlation on DE11)',
  // REST builds (smart POS on a payment gateway).
  'missing-idempotency-key':
    'REST: no idempotency key is sent, so a retried request is a new payment and a lost one cannot be found',
  'idempotency-key-reused': 'REST: the first idempotency key is sent with every later request too',
  'no-version-pin': 'REST: the version header is left out, so the gateway applies its account default',
  'no-retry-on-timeout':
    'REST: no retry after a timeout, 5xx or broken connection; the outcome stays unknown',
  'amount-as-decimal': 'REST: amounts go in major units as a decimal number (25.5 for 2550 minor units)',
} as const;

export type Defect = keyof typeof DEFECTS;
export const DEFECT_NAMES = Object.keys(DEFECTS) as Defect[];

/** The defects that only mean something on the REST transport; the others are ISO 8583 ones. */
export const REST_DEFECTS: ReadonlySet<Defect> = new Set<Defect>([
  'missing-idempotency-key',
  'idempotency-key-reused',
  'no-version-pin',
  'no-retry-on-timeout',
  'amount-as-decimal',
]);

/** Defects both transports model. */
export const SHARED_DEFECTS: ReadonlySet<Defect> = new Set<Defect>(['no-reversal-on-timeout']);
