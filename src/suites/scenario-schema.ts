import { type Static, Type as T, type TSchema } from '@sinclair/typebox';
import { Literals } from '../data/schema-helpers.js';
import { FaultScopeSchema } from '../mocks/faults/types.js';
import { MessageKindSchema, OUTCOMES } from '../mocks/hosts/host-schema.js';
import { CAPABILITIES } from '../terminals/terminal.js';

/**
 * The JSON Schema of a scenario file (suites/<suite>/<scenario>.yaml) and of suite.yaml, written once
 * with TypeBox, in two variants from one definition: `ScenarioFileSchema` is what authors write
 * (short forms: `- sign-on`, `card: visa-credit-chip`, `stan: "000123"`, `sale: approved`), for
 * docs and editors; `ScenarioDataSchema` is the same with every short form expanded to its object
 * (expandShortForms), which the loader validates — without `object | string` unions, ajv's first
 * error is the real one ("unknown property regexp"), not "must be string". What a schema cannot say
 * (one action per step, references between steps and captures, field keys) the loader checks with
 * the same kind of error: file, JSON path, problem.
 */

const Closed = { additionalProperties: false } as const;
const OneOrMore = <S extends TSchema>(s: S) => T.Union([s, T.Array(s, { minItems: 1 })]);

export const NAME_PATTERN = '^[a-z0-9][a-z0-9-]*$';
const Name = T.String({ pattern: NAME_PATTERN });
/** A step reference or a capture name: `sale`, `sale-2`, `first`. */
const RefName = T.String({ pattern: '^[A-Za-z][A-Za-z0-9_-]*$' });

export const OUTCOME_STATUSES = ['approved', 'declined', 'timed-out', 'reversed', 'error'] as const;
const Status = Literals(OUTCOME_STATUSES);
const OutcomeName = Literals(OUTCOMES, {
  description: "a semantic outcome of the host's response-code table",
});
const HostInstance = Literals(['primary', 'backup'], {
  description: 'which host instance (default primary)',
});

/** Major units with up to two decimals; zero and negative amounts are allowed (the input suite). */
export const AmountSchema = T.Union([
  // The string branch first: a malformed amount is a string, and its pattern is the useful error.
  T.String({ pattern: '^-?[0-9]{1,15}(\\.[0-9]{1,2})?$', description: 'e.g. "25.00"' }),
  T.Number(),
]);

export const ENTRY_MODES = ['chip', 'magstripe', 'contactless', 'manual'] as const;
export const AMOUNT_ACTIONS = ['sale', 'refund', 'pre-auth', 'completion'] as const;
export const PLAIN_ACTIONS = ['sign-on', 'echo', 'balance', 'settlement'] as const;
export const HOST_ACTIONS = ['wait', 'host', 'fault', 'unfault'] as const;
export const INVARIANT_IDS = [
  'response-correlation',
  'stan-unique',
  'charge-reported',
  'no-violations',
] as const;
export type InvariantId = (typeof INVARIANT_IDS)[number];
/** `outcomes: approved` (every step) as the expanded form stores it. */
export const EVERY_STEP = '*';

/**
 * Builds every schema; `short` admits the short forms. The TypeScript types are those of the
 * expanded variant (the short one is cast to it: nothing reads data validated against it).
 */
function build(short: boolean) {
  const or = <O extends TSchema>(object: O, shortForm: TSchema): O =>
    (short ? T.Union([object, shortForm]) : object) as O;

  const CardChoice = or(
    T.Object(
      {
        name: T.String({ pattern: NAME_PATTERN, description: 'a card of mocks/cards.yaml' }),
        entry: T.Optional(Literals(ENTRY_MODES, { description: "default: the card's technology" })),
        pin: T.Optional(
          T.Union([T.Boolean(), T.String({ pattern: '^[0-9]{4,12}$' })], {
            description: "true: the card's PIN; a string: that PIN (a wrong one); default: no PIN",
          }),
        ),
      },
      Closed,
    ),
    T.String({ pattern: NAME_PATTERN, description: 'a card of mocks/cards.yaml' }),
  );

  /** A fault spec (docs/faults.md) with the scenario's additions: `scope.kind` and `on`. */
  const ScenarioFault = T.Object(
    {
      fault: T.String({ minLength: 1 }),
      params: T.Optional(T.Record(T.String(), T.Unknown())),
      scope: T.Optional(
        T.Object(
          {
            ...FaultScopeSchema.properties,
            // docs/scenarios.md explains how a kind becomes the host version's MTIs and processing codes
            kind: T.Optional(OneOrMore(MessageKindSchema)),
          },
          Closed,
        ),
      ),
      id: T.Optional(T.String()),
      on: T.Optional(HostInstance),
    },
    Closed,
  );

  // ── when ──
  const StepObject = T.Object(
    {
      sale: T.Optional(AmountSchema),
      refund: T.Optional(AmountSchema),
      'pre-auth': T.Optional(AmountSchema),
      completion: T.Optional(AmountSchema),
      'sign-on': T.Optional(T.Null()),
      echo: T.Optional(T.Null()),
      balance: T.Optional(T.Null()),
      settlement: T.Optional(T.Null()),
      void: T.Optional(RefName),
      wait: T.Optional(T.Integer({ minimum: 0, description: 'ms of scenario time (scaled)' })),
      host: T.Optional(
        Literals(['down', 'up'], { description: 'down: the host stops listening; up: again' }),
      ),
      fault: T.Optional(ScenarioFault),
      unfault: T.Optional(T.String({ description: 'id of a fault to remove' })),
      ref: T.Optional(RefName),
      original: T.Optional(RefName),
      card: T.Optional(CardChoice),
      currency: T.Optional(T.String({ pattern: '^[0-9]{3}$', description: 'ISO 4217 numeric' })),
      timeoutMs: T.Optional(T.Integer({ minimum: 1, description: 'deadline of this transaction (scaled)' })),
      on: T.Optional(HostInstance),
    },
    { ...Closed, minProperties: 1 },
  );
  const Step = or(
    StepObject,
    Literals(PLAIN_ACTIONS, { description: 'an action without a value, e.g. - sign-on' }),
  );

  // ── then: matchers ──
  const Scalar = T.Union([T.String(), T.Number()]);
  const matcherProps = {
    equals: T.Optional(Scalar),
    present: T.Optional(T.Literal(true)),
    absent: T.Optional(T.Literal(true)),
    regex: T.Optional(T.String({ minLength: 1 })),
    oneOf: T.Optional(T.Array(Scalar, { minItems: 1 })),
    echo: T.Optional(
      T.String({
        pattern: '^[A-Za-z][A-Za-z0-9_-]*\\.',
        description: '<capture>.<field> or <capture>.response.<field>',
      }),
    ),
  };
  const Inner = or(T.Object(matcherProps, { ...Closed, minProperties: 1 }), Scalar);
  /** A value (equals), or an object whose every key must hold. */
  const FieldMatcher = or(
    T.Object({ ...matcherProps, not: T.Optional(Inner) }, { ...Closed, minProperties: 1 }),
    Scalar,
  );
  /** Field key (ISO path, alias, original.<path>, JSON pointer) → matcher; keys are checked by the loader. */
  const Fields = T.Record(T.String(), FieldMatcher);

  const selectorProps = {
    kind: T.Optional(OneOrMore(MessageKindSchema)),
    mti: T.Optional(OneOrMore(T.String({ pattern: '^[0-9xX]{4}$', description: "'x' matches any digit" }))),
    class: T.Optional(
      Literals(
        [
          'authorization',
          'financial',
          'file',
          'reversal',
          'reconciliation',
          'administrative',
          'fee',
          'network',
        ],
        { description: 'the MTI class (second digit), whatever the ISO version' },
      ),
    ),
    operation: T.Optional(
      T.String({ description: "REST: the API version's operationId the request was routed to" }),
    ),
    method: T.Optional(T.String({ description: 'REST: HTTP method' })),
    path: T.Optional(T.String({ description: 'REST: a regular expression on the request path' })),
    step: T.Optional(RefName),
    on: T.Optional(HostInstance),
    original: T.Optional(RefName),
    fields: T.Optional(Fields),
    response: T.Optional(
      T.Object(
        {
          sent: T.Optional(T.Boolean({ description: 'false: the host sent no answer (a fault)' })),
          code: T.Optional(OneOrMore(OutcomeName)),
          fields: T.Optional(Fields),
        },
        Closed,
      ),
    ),
    note: T.Optional(T.String({ description: 'why this message is expected; quoted in the reason' })),
  };
  const MessageExpectation = T.Object({ ...selectorProps, as: T.Optional(RefName) }, Closed);
  const Count = or(
    T.Object(
      { min: T.Optional(T.Integer({ minimum: 0 })), max: T.Optional(T.Integer({ minimum: 0 })) },
      { ...Closed, minProperties: 1 },
    ),
    T.Integer({ minimum: 0 }),
  );
  const CountExpectation = T.Object({ ...selectorProps, count: Count }, Closed);

  const OutcomeExpectation = or(
    T.Object(
      {
        status: T.Optional(OneOrMore(Status)),
        code: T.Optional(OneOrMore(OutcomeName)),
        responseCode: T.Optional(FieldMatcher),
        detail: T.Optional(FieldMatcher),
      },
      { ...Closed, minProperties: 1 },
    ),
    Status,
  );

  const HostExpectation = T.Object(
    {
      sequence: T.Optional(T.Array(MessageExpectation, { minItems: 1 })),
      exact: T.Optional(T.Boolean({ description: 'the sequence is every message the host received' })),
      ignore: T.Optional(
        T.Array(MessageKindSchema, {
          description: 'kinds an exact sequence skips (default: network management)',
        }),
      ),
      contains: T.Optional(T.Array(MessageExpectation, { minItems: 1 })),
      absent: T.Optional(T.Array(MessageExpectation, { minItems: 1 })),
      counts: T.Optional(T.Array(CountExpectation, { minItems: 1 })),
    },
    { ...Closed, minProperties: 1 },
  );

  const ExpectedViolation = T.Object(
    {
      rule: T.Optional(
        T.String({ description: 'mandatory-field, forbidden-field, field-format, format, mac, duplicate …' }),
      ),
      path: T.Optional(T.String({ description: "the field path, e.g. '22' or '64'" })),
      message: T.Optional(T.String({ description: 'a regular expression on the message' })),
      on: T.Optional(HostInstance),
    },
    { ...Closed, minProperties: 1 },
  );

  const Then = T.Object(
    {
      outcomes: T.Optional(
        or(
          T.Record(T.String(), OutcomeExpectation, {
            description: 'step reference -> expected outcome, or one status for every transaction step',
          }),
          Status,
        ),
      ),
      host: T.Optional(HostExpectation),
      violations: T.Optional(T.Array(ExpectedViolation, { minItems: 1 })),
      invariants: T.Optional(
        T.Object(
          {
            'response-correlation': T.Optional(T.Boolean()),
            'stan-unique': T.Optional(T.Boolean()),
            'charge-reported': T.Optional(T.Boolean()),
            'no-violations': T.Optional(T.Boolean()),
          },
          { ...Closed, description: 'false turns a built-in invariant off for this scenario' },
        ),
      ),
    },
    { ...Closed, minProperties: 1 },
  );

  const Given = T.Object(
    {
      card: T.Optional(CardChoice),
      signedOn: T.Optional(
        T.Boolean({
          description: 'the host already counts the terminal as signed on (with its static keys)',
        }),
      ),
      backup: T.Optional(T.Boolean({ description: 'start a backup host instance beside the primary' })),
      faults: T.Optional(T.Array(ScenarioFault)),
    },
    Closed,
  );

  const ScenarioFile = T.Object(
    {
      id: Name,
      title: T.String({ minLength: 1, pattern: '^[^\\n]*$' }),
      why: T.String({
        minLength: 1,
        pattern: '^[^\\n]*$',
        description: 'one line: what field failure it catches',
      }),
      description: T.Optional(T.String()),
      tags: T.Optional(T.Array(Name, { uniqueItems: true })),
      requires: T.Optional(
        T.Array(Literals(CAPABILITIES), {
          uniqueItems: true,
          description: "capabilities besides the steps' own transaction types (added automatically)",
        }),
      ),
      families: T.Optional(T.Array(Literals(['iso8583', 'rest']), { minItems: 1, uniqueItems: true })),
      given: T.Optional(Given),
      when: T.Array(Step, { minItems: 1 }),
      // biome-ignore lint/suspicious/noThenProperty: given/when/then is the format; the value is never a function
      then: Then,
    },
    Closed,
  );
  return {
    CardChoice,
    ScenarioFault,
    StepObject,
    FieldMatcher,
    MessageExpectation,
    Count,
    CountExpectation,
    OutcomeExpectation,
    HostExpectation,
    ExpectedViolation,
    Then,
    Given,
    ScenarioFile,
  };
}

const long = build(false);
/** What authors write, short forms included (docs, editors). */
export const ScenarioFileSchema = build(true).ScenarioFile;
/** The same after expandShortForms: what the loader validates. */
export const ScenarioDataSchema = long.ScenarioFile;
export const FieldMatcherSchema = long.FieldMatcher;

export type CardChoice = Static<typeof long.CardChoice>;
export type ScenarioFault = Static<typeof long.ScenarioFault>;
export type StepObject = Static<typeof long.StepObject>;
export type FieldMatcher = Static<typeof long.FieldMatcher>;
export type MessageExpectation = Static<typeof long.MessageExpectation>;
export type CountSpec = Static<typeof long.Count>;
export type CountExpectation = Static<typeof long.CountExpectation>;
export type OutcomeExpectation = Static<typeof long.OutcomeExpectation>;
export type HostExpectation = Static<typeof long.HostExpectation>;
export type ExpectedViolation = Static<typeof long.ExpectedViolation>;
export type Then = Static<typeof long.Then>;
export type Given = Static<typeof long.Given>;
export type ScenarioFile = Static<typeof long.ScenarioFile>;

export const SuiteFileSchema = T.Object(
  {
    title: T.String({ minLength: 1, pattern: '^[^\\n]*$' }),
    description: T.Optional(T.String()),
  },
  Closed,
);
export type SuiteFile = Static<typeof SuiteFileSchema>;
