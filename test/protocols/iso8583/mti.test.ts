// Which MTIs ISO 8583 answers: the message function (third digit) says whether a message is a
// request of some kind (it has a response) or itself a response or acknowledgement (it has none).
import { describe, expect, it } from 'vitest';
import { hasResponseMti } from '../../../src/protocols/iso8583/index.js';

describe('hasResponseMti', () => {
  it('is true for requests, advices, notifications and instructions, repeats included', () => {
    for (const mti of [
      '0100',
      '0200',
      '0201',
      '0220',
      '0221',
      '0400',
      '0401',
      '0420',
      '0500',
      '0800',
      '1240',
      '1804',
      '1260',
    ]) {
      expect(hasResponseMti(mti), mti).toBe(true);
    }
  });

  it('is false for responses, acknowledgements and the reserved functions 8 and 9', () => {
    for (const mti of [
      '0110',
      '0210',
      '0230',
      '0410',
      '0430',
      '0510',
      '0810',
      '1814',
      '1250',
      '1270',
      '0280',
      '0290',
    ]) {
      expect(hasResponseMti(mti), mti).toBe(false);
    }
  });
});
