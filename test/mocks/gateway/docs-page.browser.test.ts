// The API docs page in a real browser: Swagger UI renders each served version from the mock alone
// (no request leaves it), and "Try it out" on a version other than the default reaches the mock at
// that version, because the page pins the version header.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { MockGateway } from '../../../src/mocks/gateway/index.js';
import { useChromium } from '../../support/chromium.js';
import { gateway, useGateways } from './support.js';

useGateways();

const browser = useChromium();

/** Opens the page; collects script errors and any request that is not to the mock. */
async function openDocs(g: MockGateway): Promise<{ page: Page; problems: string[] }> {
  const page = await browser().newPage({ viewport: { width: 1400, height: 1000 } });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    if (!r.url().startsWith(g.url)) problems.push(`request: ${r.url()}`);
  });
  await page.goto(`${g.url}/docs`);
  await page.waitForSelector('.opblock', { timeout: 20_000 });
  return { page, problems };
}

describe('the API docs page in a browser', () => {
  it('shows the default version, switches to the other, and tries an operation at that version', async () => {
    const g = await gateway('nimbus-pay@2024-06-15', { docs: true });
    const { page, problems } = await openDocs(g);
    try {
      await expect.poll(() => page.locator('.info .title').textContent()).toContain('2024-06-15');
      const paths = await page.locator('.opblock-summary-path').allInnerTexts();
      expect(paths.map((p) => p.replace(/\u200b/g, ''))).toContain('/v1/payment_intents/{id}');

      // The top bar's menu lists the served versions; pick the older one.
      await page.selectOption('.topbar select', { label: 'nimbus-pay@2023-10-16' });
      await expect.poll(() => page.locator('.info .title').textContent()).toContain('2023-10-16');

      // Retrieve a payment that does not exist, from the 2023-10-16 document.
      const op = page.locator('.opblock-get').first();
      await op.locator('.opblock-summary').click();
      await op.locator('input[placeholder="id"]').fill('pi_docspage');
      await op.locator('button.execute').click();
      // Swagger UI lists the answer it got under "Server response".
      const live = op.locator('.live-responses-table tbody .response-col_status').first();
      await live.waitFor({ timeout: 10_000 });

      const seen = g.journal
        .entries()
        .filter((e) => e.request?.http?.path === '/v1/payment_intents/pi_docspage');
      expect(seen).toHaveLength(1);
      expect(seen[0]!.request!.http!.headers['nimbus-version']).toBe('2023-10-16');
      // No API key given: the mock refuses in 2023-10-16's error shape, and the page shows it.
      expect(seen[0]!.response!.http!.status).toBe(401);
      expect(await live.textContent()).toContain('401');
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);
});
