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
});
