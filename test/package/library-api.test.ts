// The library example of docs/firmware.md, through the package's entry point: a user's own test
// starts a mock bank, makes a reference terminal of a build and plays a sale and its void.
import { describe, expect, it } from 'vitest';
import { referenceDriver, startIsoHost, workspaceFirmware } from '../../src/index.js';

describe('the library entry point', () => {
  it('has what docs/firmware.md uses: a reference terminal plays a sale and a void against a mock bank', async () => {
    const bank = await startIsoHost({ host: 'harbor-bank@2019.4', port: 0, timeScale: 0.01 });
    const build = workspaceFirmware().get('corvid-c400-4.2');
    const terminal = await referenceDriver.create(build);
    const kinds: string[] = [];
    terminal.onEvent((e) => kinds.push(e.kind));
    try {
      await terminal.configure({
        primary: bank.address,
        keys: { ...bank.version.keysFor('HB000001') },
        timeScale: 0.01,
      });
      const sale = await terminal.run({
        type: 'sale',
        amount: 2500,
        card: { pan: '4111111111111111', expiry: '3012', serviceCode: '201', entryMode: 'chip', pin: '1234' },
      });
      expect(sale.status, sale.detail).toBe('approved');
      const voided = await terminal.run({ type: 'void', original: sale.reference! });
      expect(voided.status, voided.detail).toBe('approved');
      expect(kinds.length).toBeGreaterThan(0);
    } finally {
      await terminal.close();
      await bank.close();
    }
  });
});
