import { describe, expect, it } from 'vitest';
import { summarizeMessage } from '../../../src/protocols/iso8583/index.js';

describe('message summaries', () => {
  it('DE39 is the code of an answer, and the reason of a request (a CUP reversal says why it reverses)', () => {
    const fields = { '4': '000000002500', '11': '000002', '39': '98' };
    expect(summarizeMessage({ mti: '0400', fields }, 'reversal')).toBe(
      '0400 reversal 25.00 STAN 000002 reason 98',
    );
    expect(summarizeMessage({ mti: '0410', fields: { ...fields, '39': '00' } })).toBe(
      '0410 25.00 STAN 000002 code 00',
    );
    expect(summarizeMessage({ mti: '0800', fields: { '11': '000001' } }, 'sign-on')).toBe(
      '0800 sign-on STAN 000001',
    );
  });
});
