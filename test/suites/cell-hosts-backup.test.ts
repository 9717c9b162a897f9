// cellHosts for a gateway: the primary and the backup share payments and idempotency keys (two
// front ends of one gateway), and each lists only the payments it took, so a cell's observation
// counts every payment once, on the instance that took it.
import { afterEach, describe, expect, it } from 'vitest';
import { loadCards, loadHosts } from '../../src/mocks/hosts/host-loader.js';
import { type CellHost, cellHosts } from '../../src/suites/cell-hosts.js';
import { meridianBody } from '../mocks/gateway/support.js';

const hosts = loadHosts();
const cards = loadCards();
let open: CellHost[] = [];
afterEach(async () => {
  await Promise.all(open.map((x) => x.close()));
  open = [];
});

async function authorize(host: CellHost, apiKey: string, key: string): Promise<{ pspReference: string }> {
  const url = 'url' in host.endpoint ? host.endpoint.url : '';
  const res = await fetch(`${url}/v4/payments`, {
    method: 'POST',
    headers: { 'x-api-key': apiKey, 'content-type': 'application/json', 'idempotency-key': key },
    // meridianBody of the gateway tests: what a v4 terminal sends
    body: JSON.stringify(meridianBody({ amount: 1200, reference: `order-${key}` })),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { pspReference: string };
}

describe('cell hosts for a gateway with a backup', () => {
  it('share one store; each instance reports the payments it took', async () => {
    const version = hosts.getGateway('meridian-checkout@v4');
    const side = cellHosts(version, { seed: 1, timeScale: 0.01, cards });
    const primary = await side.start('primary', []);
    const backup = await side.start('backup', []);
    open.push(primary, backup);
    const apiKey = side.credentials('T1').apiKey!;
    const a = await authorize(primary, apiKey, 'a');
    const again = await authorize(backup, apiKey, 'a'); // a retry through the backup: replayed
    const b = await authorize(backup, apiKey, 'b');
    expect(again.pspReference).toBe(a.pspReference);
    expect(primary.payments!().map((p) => p.id)).toEqual([a.pspReference]);
    expect(backup.payments!().map((p) => p.id)).toEqual([b.pspReference]);
  });
});
