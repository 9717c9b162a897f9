import { describe, expect, it } from 'vitest';
import { validateData } from '../../src/data/load-data-file.js';
import { expandShortForms } from '../../src/suites/expand-short-forms.js';
import { ScenarioDataSchema } from '../../src/suites/scenario-schema.js';

describe('short forms', () => {
  it('expands every short form to the object the data schema validates', () => {
    const written = {
      id: 'x',
      title: 'T',
      why: 'W',
      given: { card: 'visa-credit-chip' },
      when: ['sign-on', { sale: 1, card: 'visa-blocked' }],
      // biome-ignore lint/suspicious/noThenProperty: the scenario format's then, never a function
      then: {
        outcomes: {
          sale: 'declined',
          'sign-on': { status: 'approved', responseCode: '00', detail: { not: 'x' } },
        },
        host: {
          sequence: [
            {
              kind: 'sale',
              fields: { stan: '000001', amount: 100, 41: { present: true } },
              response: { fields: { 39: '05' } },
            },
          ],
          counts: [{ kind: 'sale', count: 1 }],
        },
      },
    };
    const data = expandShortForms(written) as typeof written & Record<string, never>;
    expect(() => validateData('x.yaml', data, ScenarioDataSchema)).not.toThrow();
    expect(data).toMatchObject({
      given: { card: { name: 'visa-credit-chip' } },
      when: [{ 'sign-on': null }, { sale: 1, card: { name: 'visa-blocked' } }],
      // biome-ignore lint/suspicious/noThenProperty: the scenario format's then, never a function
      then: {
        outcomes: {
          sale: { status: 'declined' },
          'sign-on': { status: 'approved', responseCode: { equals: '00' }, detail: { not: { equals: 'x' } } },
        },
        host: {
          sequence: [
            {
              fields: { stan: { equals: '000001' }, amount: { equals: 100 }, 41: { present: true } },
              response: { fields: { 39: { equals: '05' } } },
            },
          ],
          counts: [{ count: { min: 1, max: 1 } }],
        },
      },
    });
    expect(written.given.card).toBe('visa-credit-chip'); // the input is not changed
  });

  it('one status for every step is stored under "*"; other types are left for the schema to report', () => {
    // biome-ignore lint/suspicious/noThenProperty: the scenario format's then, never a function
    expect((expandShortForms({ then: { outcomes: 'approved' } }) as { then: unknown }).then).toEqual({
      outcomes: { '*': { status: 'approved' } },
    });
    expect(expandShortForms({ when: [true], given: { card: 5 } })).toEqual({
      when: [true],
      given: { card: 5 },
    });
    expect(expandShortForms('text')).toBe('text');
  });
});
