// Data files are validated by schemas the code owns; a bad file's error names the file, the JSON path
// and every problem of the object at fault at once.
import { Type as T } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { DataFileError } from '../../src/data/data-file-error.js';
import { parseDataText } from '../../src/data/load-data-file.js';

const Build = T.Object(
  {
    id: T.String(),
    vendor: T.String(),
    capabilities: T.Array(T.String()),
    terminal: T.Optional(T.Object({ terminalId: T.String() }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

function problem(text: string): string {
  try {
    parseDataText('build.yaml', text, Build);
  } catch (err) {
    expect(err).toBeInstanceOf(DataFileError);
    return (err as Error).message;
  }
  throw new Error('no problem found');
}

describe('data file errors', () => {
  it('pairs each misspelt property with the one it meant, and tells every one at once', () => {
    expect(problem('id: x\nvendr: acme\ncapabilites: [sale]\n')).toBe(
      'build.yaml at /: unknown property "vendr" (did you mean "vendor"?); unknown property "capabilites" (did you mean "capabilities"?)',
    );
  });

  it('an unknown property near no known one, and a missing one, are both told', () => {
    expect(problem('id: x\ncolour: red\ncapabilities: [sale]\n')).toBe(
      'build.yaml at /: unknown property "colour"; missing property "vendor"',
    );
  });

  it('a typo of a property that is present already is still suggested; deeper objects name their path', () => {
    expect(problem('id: x\nvendor: acme\nvndor: acme\ncapabilities: [sale]\n')).toBe(
      'build.yaml at /: unknown property "vndor" (did you mean "vendor"?)',
    );
    expect(problem('id: x\nvendor: a\ncapabilities: []\nterminal: { terminalID: T1 }\n')).toBe(
      // The missing terminalId is the typo's: told once.
      'build.yaml at /terminal: unknown property "terminalID" (did you mean "terminalId"?)',
    );
  });

  it('a misspelt word of a list says which one it meant; a word near none just lists them', () => {
    const Driver = T.Object({ driver: T.Union([T.Literal('reference'), T.Literal('process')]) });
    const driverProblem = (text: string) => {
      try {
        parseDataText('build.yaml', text, Driver);
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error('no problem found');
    };
    expect(driverProblem('driver: referense\n')).toBe(
      'build.yaml at /driver: must be one of "reference", "process" (did you mean "reference"?)',
    );
    expect(driverProblem('driver: docker\n')).toBe(
      'build.yaml at /driver: must be one of "reference", "process"',
    );
  });

  it('tells every mistake of the file at once, one line each, a union counted once', () => {
    const Scenario = T.Object(
      {
        steps: T.Array(
          T.Union([
            T.Object({ sale: T.Number() }, { additionalProperties: false }),
            T.Object({ wait: T.Number() }, { additionalProperties: false }),
          ]),
        ),
        mti: T.String(),
        code: T.Union([T.Literal('approved'), T.Literal('declined')]),
      },
      { additionalProperties: false },
    );
    let error: DataFileError | undefined;
    try {
      parseDataText('s.yaml', 'steps: [{ sael: 1 }, { sale: 2 }]\nmti: 0200\ncode: aproved\n', Scenario);
    } catch (err) {
      error = err as DataFileError;
    }
    expect(error?.problems).toEqual([
      { path: '/steps/0', problem: 'unknown property "sael" (did you mean "sale"?)' },
      {
        path: '/mti',
        problem:
          'must be a string: put the value in quotes (YAML read it as the number 200, leading zeros dropped)',
      },
      { path: '/code', problem: 'must be one of "approved", "declined" (did you mean "approved"?)' },
    ]);
    expect(error?.message.split('\n')).toEqual([
      's.yaml at /steps/0: unknown property "sael" (did you mean "sale"?)',
      's.yaml at /mti: must be a string: put the value in quotes (YAML read it as the number 200, leading zeros dropped)',
      's.yaml at /code: must be one of "approved", "declined" (did you mean "approved"?)',
    ]);
  });
});

describe('keys YAML reads as other than written', () => {
  it('an unquoted version 2026.10 (the number 2026.1) or MTI 0200 (200) is refused with its path', () => {
    const parse = (text: string) => () => parseDataText('hosts.yaml', text, T.Unknown());
    expect(parse('versions:\n  "2026.1": {a: 1}\n  2026.10: {a: 2}\n')).toThrow(
      'hosts.yaml at /versions/2026.10: the key 2026.10 reads as number 2026.1: quote it ("2026.10")',
    );
    expect(parse('messages:\n  0200: { kind: sale }\n')).toThrow(
      /at \/messages\/0200: the key 0200 reads as number 200/,
    );
    // Keys that read as written are fine, numbers included.
    expect(parse('messages:\n  41: x\n  "0200": y\n')()).toEqual({ messages: { 41: 'x', '0200': 'y' } });
  });
});
