import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AdminApi, buildAdminApp, startAdminApi } from '../../../src/mocks/admin/admin-api.js';
import { type IsoHost, startIsoHost } from '../../../src/mocks/iso-host/start-iso-host.js';
import { asciiDialect, sale, send, VISA_TEST_PAN } from './terminal.js';

const dialect = asciiDialect();
const MASKED = '411111******1111';

/** Waits until the journal has recorded the exchange the client just saw (it logs after writing). */
async function settled(host: IsoHost, mti: string, count = 1): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (host.journal.entries().filter((e) => e.request?.iso?.mti === mti && e.response).length >= count)
      return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`journal never showed ${count} × ${mti}`);
}

describe('admin API', () => {
  let host: IsoHost;
  let api: AdminApi;

  beforeEach(async () => {
    host = await startIsoHost({ host: 'harbor-bank@2019.4', port: 0, timeScale: 0.01 });
    api = await startAdminApi({ hosts: [host], port: 0 });
  });

  afterEach(async () => {
    await api.close();
    await host.close();
  });

  const get = (url: string) => api.app.inject({ method: 'GET', url });

  it('GET /health and /hosts describe the running host', async () => {
    const health = await get('/health');
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({
      status: 'ok',
      hosts: [{ host: 'primary', ref: 'harbor-bank@2019.4', listening: true }],
    });
    const hosts = (await get('/hosts')).json();
    expect(hosts.hosts).toEqual([
      expect.objectContaining({
        label: 'primary',
        ref: 'harbor-bank@2019.4',
        dialect: 'iso8583-1987-ascii',
        address: { host: '127.0.0.1', port: host.address.port },
        url: `tcp://127.0.0.1:${host.address.port}`,
        faults: 0,
      }),
    ]);
    expect(hosts.hosts[0].certificate).toBeUndefined(); // plain TCP
  });

  it('GET /hosts hands out the test certificate of a host that speaks TLS', async () => {
    const secure = await startIsoHost({ host: 'lotus-acquirer@2026.1', port: 0, timeScale: 0.01 });
    const both = await startAdminApi({ hosts: [host, secure], labels: ['plain', 'tls'], port: 0 });
    try {
      const listed = (await both.app.inject({ method: 'GET', url: '/hosts' })).json().hosts;
      expect(listed.map((h: { label: string; certificate?: string }) => [h.label, h.certificate])).toEqual([
        ['plain', undefined],
        ['tls', secure.certificate],
      ]);
      expect(secure.certificate).toMatch(/^-----BEGIN CERTIFICATE-----/);
    } finally {
      await both.close();
      await secure.close();
    }
  });

  it('a sale over TCP shows in the journal masked, in the ledger, and in the metrics by MTI and code', async () => {
    const answer = await send(dialect, host.address.port, sale({ stan: 1, amountMinor: 2500 }));
    expect(answer.mti).toBe('0210');
    expect(answer.fields['39']).toBe('00');
    await settled(host, '0200');

    const journal = await get('/journal');
    expect(journal.statusCode).toBe(200);
    const body = journal.json();
    expect(journal.body).not.toContain(VISA_TEST_PAN);
    const tx = body.exchanges.find((e: { request?: unknown }) => e.request);
    expect(tx.request.iso.fields['2']).toBe(MASKED);
    expect(tx.request.summary).toContain('0200 sale 25.00 STAN 000001');
    expect(tx.response.iso.fields['39']).toBe('00');
    expect(body.host).toBe('primary');
    expect(body.last).toBe(body.exchanges.at(-1).seq);

    // since/limit page through the journal
    const page = (await get(`/journal?since=${tx.seq - 1}&limit=1`)).json();
    expect(page.exchanges.map((e: { seq: number }) => e.seq)).toEqual([tx.seq]);
    expect(page.last).toBe(tx.seq);
    expect(page.more).toBe(host.journal.last > tx.seq);
    // /hosts tells the journal's state without reading it: the sale weighs its two frames.
    expect((await get('/hosts')).json().hosts[0].journal).toEqual({
      last: host.journal.last,
      size: host.journal.size,
      bytes: tx.request.size + tx.response.size,
      dropped: 0,
    });

    const ledger = await get('/ledger');
    expect(ledger.body).not.toContain(VISA_TEST_PAN);
    expect(ledger.json().ledgers).toEqual([
      {
        hosts: ['primary'],
        // One sale, one key (terminal + STAN + date); nothing forgotten early.
        duplicateWindow: { keys: 1, limit: 250_000, forgottenEarly: 0 },
        terminals: [
          expect.objectContaining({
            terminal: 'TERM0001',
            signedOn: false,
            transactions: 1,
            approved: 1,
            declined: 0,
            cards: [MASKED],
            byKind: { sale: { count: 1, approved: 1, amountMinor: 2500, approvedAmountMinor: 2500 } },
          }),
        ],
      },
    ]);

    const metrics = await get('/metrics');
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.body).toContain(
      'paymatrix_mock_transactions_total{host="primary",mti="0200",code="00"} 1',
    );
    expect(metrics.body).toContain('paymatrix_mock_response_seconds_count{host="primary",mti="0200"} 1');
    expect(metrics.body).toContain(
      'paymatrix_mock_response_seconds_bucket{le="60",host="primary",mti="0200"} 1',
    );
    expect(metrics.body).toContain(
      'paymatrix_mock_transport_events_total{host="primary",event="connected"} 1',
    );
    expect(metrics.body).toMatch(
      /paymatrix_mock_host_info\{host="primary",ref="harbor-bank@2019.4",address="127.0.0.1:\d+"} 1/,
    );
  });

  it('violations are counted by rule and answered with the version code', async () => {
    const answer = await send(dialect, host.address.port, sale({ stan: 2, omit: ['42'] }));
    expect(answer.fields['39']).toBe('30');
    await settled(host, '0200');
    const metrics = (await get('/metrics')).body;
    expect(metrics).toContain('paymatrix_mock_violations_total{host="primary",rule="mandatory-field"} 1');
    expect(metrics).toContain('paymatrix_mock_transactions_total{host="primary",mti="0200",code="30"} 1');
  });

  it('a fault added with POST /faults changes the next answer; DELETE removes it', async () => {
    const added = await api.app.inject({
      method: 'POST',
      url: '/faults',
      payload: { fault: 'wrong-stan', params: { stan: '999999' }, scope: { mti: ['0200'] } },
    });
    expect(added.statusCode).toBe(201);
    expect(added.json().faults).toEqual([
      expect.objectContaining({ host: 'primary', id: 'wrong-stan', fault: 'wrong-stan', fired: 0 }),
    ]);

    const faulty = await send(dialect, host.address.port, sale({ stan: 3 }));
    expect(faulty.fields['11']).toBe('999999');
    await settled(host, '0200');

    const listed = (await get('/faults')).json().faults;
    expect(listed).toEqual([expect.objectContaining({ id: 'wrong-stan', matched: 1, fired: 1 })]);
    expect((await get('/metrics')).body).toContain(
      'paymatrix_mock_faults_fired_total{host="primary",fault="wrong-stan"} 1',
    );
    const journal = (await get('/journal')).json();
    expect(journal.exchanges.find((e: { request?: unknown }) => e.request).faults).toEqual(['wrong-stan']);

    const removed = await api.app.inject({ method: 'DELETE', url: '/faults/wrong-stan' });
    expect(removed.json()).toEqual({ removed: [{ host: 'primary', id: 'wrong-stan' }] });
    const clean = await send(dialect, host.address.port, sale({ stan: 4 }));
    expect(clean.fields['11']).toBe('000004');

    const missing = await api.app.inject({ method: 'DELETE', url: '/faults/wrong-stan' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().message).toBe('no active fault "wrong-stan" (active: none)');
  });

  it('POST /faults refuses bad specs with the path and problem, and changes nothing', async () => {
    const post = (payload: unknown) =>
      api.app.inject({ method: 'POST', url: '/faults', payload: payload as object });

    const negative = await post({ fault: 'latency', params: { delayMs: -5 } });
    expect(negative.statusCode).toBe(400);
    expect(negative.json()).toMatchObject({
      error: 'Bad Request',
      code: 'invalid-params',
      path: 'fault.params.delayMs',
    });
    expect(negative.json().message).toMatch(/^fault\.params\.delayMs: must be >= 0/);

    const unknown = (await post({ fault: 'latncy' })).json();
    expect(unknown).toMatchObject({ code: 'unknown-fault', path: 'fault.fault' });
    expect(unknown.problem).toContain('did you mean "latency"');

    // A list is all or nothing: the good first entry is not left behind.
    const list = await post([{ fault: 'latency' }, { fault: 'no-response', params: { lost: 'nope' } }]);
    expect(list.statusCode).toBe(400);
    expect(list.json().path).toMatch(/^faults\[1\]\.params\.lost/);
    expect((await get('/faults')).json().faults).toEqual([]);

    expect((await post({ fault: 'latency', id: 'slow' })).statusCode).toBe(201);
    const dup = await post({ fault: 'latency', id: 'slow' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ code: 'duplicate-id', path: 'fault.id' });

    const raw = (payload: string) =>
      api.app.inject({
        method: 'POST',
        url: '/faults',
        headers: { 'content-type': 'application/json' },
        payload,
      });
    // Not a spec at all: what the route takes, in one sentence.
    const takes =
      'the body must be a fault spec ({ "fault": "latency", "params": …, "scope": … }) or a list of 1 to 100, sent as JSON (content-type: application/json)';
    const notObject = await raw('"latency"');
    expect(notObject.statusCode).toBe(400);
    expect(notObject.json().message).toBe(takes);
    expect((await raw('null')).json().message).toBe(takes);
    expect((await raw('{nope')).statusCode).toBe(400);
    expect((await raw('[]')).json().message).toBe(takes);
    const text = await api.app.inject({
      method: 'POST',
      url: '/faults',
      headers: { 'content-type': 'text/plain' },
      payload: 'latency',
    });
    expect([text.statusCode, text.json().message]).toEqual([400, takes]);
    const none = await api.app.inject({ method: 'POST', url: '/faults' });
    expect([none.statusCode, none.json().message]).toEqual([400, takes]);

    const cleared = await api.app.inject({ method: 'DELETE', url: '/faults' });
    expect(cleared.json()).toEqual({ cleared: [{ host: 'primary', count: 1 }] });
  });

  it('GET /journal filters: by MTI, terminal, STAN, code, violations, events, faults and summary text', async () => {
    const port = host.address.port;
    expect((await send(dialect, port, sale({ stan: 1, terminal: 'TERM0001' }))).fields['39']).toBe('00');
    expect(
      (await send(dialect, port, sale({ stan: 1, terminal: 'TERM0002', amountMinor: 5151 }))).fields['39'],
    ).toBe('51');
    expect((await send(dialect, port, sale({ stan: 2, terminal: 'TERM0001' }))).fields['39']).toBe('00');
    // The same terminal, STAN and date again: a duplicate (94).
    expect((await send(dialect, port, sale({ stan: 2, terminal: 'TERM0001' }))).fields['39']).toBe('94');
    await settled(host, '0200', 4);
    const seen = async (query: string) => {
      const r = await get(`/journal?${query}`);
      expect(r.statusCode).toBe(200);
      return (
        r.json().exchanges as Array<{ request?: { summary: string }; response?: { summary: string } }>
      ).map((e) => e.response?.summary ?? e.request?.summary);
    };
    expect(await seen('mti=0200&terminal=TERM0001')).toEqual([
      '0210 25.00 STAN 000001 code 00',
      '0210 25.00 STAN 000002 code 00',
      '0210 25.00 STAN 000002 code 94',
    ]);
    expect(await seen('stan=1&code=51')).toEqual(['0210 51.51 STAN 000001 code 51']);
    expect(await seen('code=00,51&terminal=TERM0002')).toEqual(['0210 51.51 STAN 000001 code 51']);
    expect(await seen('violations=true')).toEqual(['0210 25.00 STAN 000002 code 94']);
    expect(await seen('text=51.51')).toEqual(['0210 51.51 STAN 000001 code 51']);
    expect(await seen('mti=0800')).toEqual([]);
    const events = (await get('/journal?event=connected')).json();
    expect(events.exchanges).toHaveLength(4); // a connection per sale
    expect(events.last).toBe(host.journal.last); // looked at everything
    // A page of one match, and where to go on from.
    const page = (await get('/journal?terminal=TERM0001&limit=1')).json();
    expect(page.exchanges).toHaveLength(1);
    expect(page.more).toBe(true);
    const next = (await get(`/journal?terminal=TERM0001&limit=5&since=${page.last}`)).json();
    expect(
      next.exchanges.map(
        (e: { request: { iso: { fields: Record<string, string> } } }) => e.request.iso.fields['11'],
      ),
    ).toEqual(['000002', '000002']);
  });

  it('an answer a fault kept from leaving counts as code none, in the metrics and the code filter; fault ids with # filter', async () => {
    const port = host.address.port;
    for (const spec of [
      { fault: 'close-after-request', scope: { firstN: 1 } },
      { fault: 'latency', params: { delayMs: 1 }, scope: { nth: [1] } },
      { fault: 'latency', params: { delayMs: 2 }, scope: { nth: [2] } },
    ]) {
      expect((await api.app.inject({ method: 'POST', url: '/faults', payload: spec })).statusCode).toBe(201);
    }
    await expect(send(dialect, port, sale({ stan: 1 }))).rejects.toThrow(/closed/);
    expect((await send(dialect, port, sale({ stan: 2 }))).fields['39']).toBe('00');
    await settled(host, '0200', 2);
    const metrics = (await get('/metrics')).body;
    // The host built a 00 for the first sale, but it never left.
    expect(metrics).toContain('paymatrix_mock_transactions_total{host="primary",mti="0200",code="none"} 1');
    expect(metrics).toContain('paymatrix_mock_transactions_total{host="primary",mti="0200",code="00"} 1');
    const stans = async (query: string) => {
      const r = await get(`/journal?${query}`);
      expect(r.statusCode, r.body).toBe(200);
      return r
        .json()
        .exchanges.map(
          (e: { request: { iso: { fields: Record<string, string> } } }) => e.request.iso.fields['11'],
        );
    };
    expect(await stans('code=none')).toEqual(['000001']);
    expect(await stans('code=00')).toEqual(['000002']);
    // Two latency faults: the second's id is latency#2 (# written %23 in a URL).
    expect(await stans('fault=latency%232')).toEqual(['000002']);
    expect(await stans('fault=latency')).toEqual(['000001']);
    expect(await stans('fault=close-after-request')).toEqual(['000001']);
  });

  it('GET /journal scans a long journal in slices and still pages exactly', async () => {
    for (let i = 0; i < 1300; i++) {
      host.journal.record({
        transport: 'iso8583',
        host: host.ref,
        connection: i,
        at: new Date(0).toISOString(),
        event: { kind: i % 2 === 0 ? 'connected' : 'disconnected', detail: String(i) },
        violations: [],
        faults: [],
      });
    }
    const first = (await get('/journal?event=connected&limit=600')).json();
    expect(first.exchanges).toHaveLength(600);
    expect(first.more).toBe(true);
    const second = (await get(`/journal?event=connected&limit=600&since=${first.last}`)).json();
    expect(second.exchanges).toHaveLength(50);
    expect(second.more).toBe(false);
    const details = [...first.exchanges, ...second.exchanges].map((e: { event: { detail: string } }) =>
      Number(e.event.detail),
    );
    expect(details).toEqual(Array.from({ length: 650 }, (_, k) => 2 * k));
    expect(second.last).toBe(host.journal.last);
  });

  it('bad query input gets 400 with a clear message; unknown routes get 404 with the route list', async () => {
    const limit = await get('/journal?limit=0');
    expect(limit.statusCode).toBe(400);
    expect(limit.json().message).toBe('querystring/limit must be >= 1');
    expect((await get('/journal?since=-1')).json().message).toBe('querystring/since must be >= 0');
    expect((await get('/journal?since=abc')).json().message).toBe('querystring/since must be integer');
    expect((await get('/journal?limt=5')).json().message).toBe(
      'querystring has an unknown parameter "limt" (did you mean "limit"?) (known: host, since, limit, mti, operation, terminal, stan, code, violations, event, fault, text)',
    );
    // A filter's pattern is said in words.
    expect((await get('/journal?mti=200')).json().message).toBe(
      'querystring/mti must be ISO 8583 request MTIs, comma-separated, e.g. 0200,0400',
    );
    expect((await get('/journal?event=boom')).json().message).toBe(
      'querystring/event must be transport events, comma-separated: connected, disconnected, refused, malformed, idle-timeout, reset, lost, fault, unsent',
    );
    expect((await get('/journal?violations=maybe')).json().message).toBe(
      'querystring/violations must be boolean',
    );
    const host = await get('/journal?host=nope');
    expect(host.statusCode).toBe(400);
    expect(host.json().message).toBe('unknown host "nope" (hosts here: primary)');
    expect((await get('/journal?host=primry')).json().message).toBe(
      'unknown host "primry" (did you mean "primary"?) (hosts here: primary)',
    );
    expect((await api.app.inject({ method: 'POST', url: '/reset?faults=maybe' })).statusCode).toBe(400);

    const missing = await get('/nope');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().message).toContain('GET /journal');
    expect(missing.json().message).toContain('POST /faults');
  });

  it('DELETE /journal and POST /reset forget exchanges and the ledger; ?faults=true clears faults', async () => {
    await send(dialect, host.address.port, sale({ stan: 5 }));
    await settled(host, '0200');
    expect((await api.app.inject({ method: 'DELETE', url: '/journal' })).json()).toEqual({
      cleared: ['primary'],
    });
    expect((await get('/journal')).json().exchanges).toEqual([]);
    // The ledger still has the sale: the same STAN is a duplicate (94) until a reset.
    expect((await send(dialect, host.address.port, sale({ stan: 5 }))).fields['39']).toBe('94');

    await api.app.inject({
      method: 'POST',
      url: '/faults',
      payload: { fault: 'latency', params: { delayMs: 1 } },
    });
    const reset = await api.app.inject({ method: 'POST', url: '/reset' });
    expect(reset.json()).toEqual({ reset: ['primary'], faultsCleared: false });
    expect((await get('/ledger')).json().ledgers[0].terminals).toEqual([]);
    expect((await get('/faults')).json().faults).toHaveLength(1);
    expect((await send(dialect, host.address.port, sale({ stan: 5 }))).fields['39']).toBe('00');

    await api.app.inject({ method: 'POST', url: '/reset?faults=true' });
    expect((await get('/faults')).json().faults).toEqual([]);
  });

  it('answers over a real socket', async () => {
    await send(dialect, host.address.port, sale({ stan: 6 }));
    await settled(host, '0200');
    expect(api.url).toBe(`http://127.0.0.1:${api.address.port}`);
    const health = await fetch(`${api.url}/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toBe('ok');
    const metrics = await fetch(`${api.url}/metrics`);
    expect(await metrics.text()).toContain(
      'paymatrix_mock_transactions_total{host="primary",mti="0200",code="00"} 1',
    );
    const added = await fetch(`${api.url}/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fault: 'latency', params: { delayMs: -1 } }),
    });
    expect(added.status).toBe(400);
    expect(((await added.json()) as { path: string }).path).toBe('fault.params.delayMs');
  });
});

describe('admin API over a primary and a backup', () => {
  it('labels the hosts, routes ?host=, and shows a shared ledger once', async () => {
    const primary = await startIsoHost({ host: 'harbor-bank@2019.4', timeScale: 0.01, label: 'primary' });
    const backup = await startIsoHost({
      host: 'harbor-bank@2019.4',
      timeScale: 0.01,
      label: 'backup',
      ledger: primary.ledger,
    });
    const { app } = buildAdminApp({ hosts: [primary, backup] });
    try {
      const hosts = (await app.inject({ url: '/hosts' })).json().hosts;
      expect(hosts.map((h: { label: string }) => h.label)).toEqual(['primary', 'backup']);

      const added = await app.inject({
        method: 'POST',
        url: '/faults?host=primary',
        payload: { fault: 'host-down' },
      });
      expect(added.json().faults.map((f: { host: string }) => f.host)).toEqual(['primary']);
      await new Promise((r) => setTimeout(r, 20));
      const health = (await app.inject({ url: '/health' })).json();
      expect(health.hosts.map((h: { listening: boolean }) => h.listening)).toEqual([false, true]);
      await expect(send(dialect, primary.address.port, sale({ stan: 10 }))).rejects.toThrow(/ECONNREFUSED/);
      expect((await send(dialect, backup.address.port, sale({ stan: 10 }))).fields['39']).toBe('00');
      await settled(backup, '0200');

      const journal = (await app.inject({ url: '/journal?host=backup' })).json();
      expect(journal.host).toBe('backup');
      expect(journal.exchanges.some((e: { request?: unknown }) => e.request)).toBe(true);
      expect((await app.inject({ url: '/journal' })).json().exchanges).toEqual([]);

      const ledgers = (await app.inject({ url: '/ledger' })).json().ledgers;
      expect(ledgers).toHaveLength(1);
      expect(ledgers[0].hosts).toEqual(['primary', 'backup']);
      expect(ledgers[0].terminals[0]).toMatchObject({ terminal: 'TERM0001', approved: 1 });

      const metrics = (await app.inject({ url: '/metrics' })).body;
      expect(metrics).toContain('paymatrix_mock_transactions_total{host="backup",mti="0200",code="00"} 1');
      expect(metrics).not.toContain('paymatrix_mock_transactions_total{host="primary"');
    } finally {
      await app.close();
      await primary.close();
      await backup.close();
    }
  });

  it('refuses duplicate labels and an empty host list', async () => {
    const h = await startIsoHost({ host: 'harbor-bank@2019.4' });
    try {
      expect(() => buildAdminApp({ hosts: [] })).toThrow(/at least one host/);
      expect(() => buildAdminApp({ hosts: [h, h], labels: ['a', 'a'] })).toThrow(/used twice/);
    } finally {
      await h.close();
    }
  });
});
