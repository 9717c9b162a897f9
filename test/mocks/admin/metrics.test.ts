// MockMetrics reads the journal's exchanges: the open-connections gauge pairs each disconnect with
// the connect of the same connection, and answers that never left count as code none.
import { describe, expect, it } from 'vitest';
import { MockMetrics } from '../../../src/mocks/admin/metrics.js';
import { type Exchange, TERMINAL_GONE, type TransportEvent } from '../../../src/mocks/exchange.js';

const event = (seq: number, connection: number, kind: TransportEvent, detail = ''): Exchange => ({
  seq,
  transport: 'iso8583',
  host: 'harbor-bank@2019.4',
  connection,
  at: '2026-11-26T10:00:00.000Z',
  event: { kind, detail },
  violations: [],
  faults: [],
});

describe('MockMetrics', () => {
  it('counts open connections by connection: a disconnect without its connect, or an unsent answer, closes nothing', async () => {
    const m = new MockMetrics();
    const gauge = async () =>
      /paymatrix_mock_connections\{host="primary"\} (-?\d+)/.exec(await m.text())?.[1];
    m.record('primary', event(1, 1, 'connected'));
    m.record('primary', event(2, 2, 'connected'));
    expect(await gauge()).toBe('2');
    // A sale on connection 1 whose answer found its terminal gone.
    m.record('primary', {
      ...event(3, 1, 'unsent'),
      event: TERMINAL_GONE,
      request: { summary: '0200 sale 10.00 STAN 000001', size: 100, iso: { mti: '0200', fields: {} } },
      response: { summary: '0210 code 00', size: 90, iso: { mti: '0210', fields: { 39: '00' } } },
    });
    // A TLS handshake the terminal gave up: journaled as a disconnect of a connection never counted open.
    m.record('primary', event(4, 3, 'disconnected', 'TLS handshake not completed'));
    expect(await gauge()).toBe('2');
    m.record('primary', event(5, 1, 'disconnected'));
    m.record('primary', event(6, 1, 'disconnected')); // once only
    expect(await gauge()).toBe('1');
    const text = await m.text();
    expect(text).toContain('paymatrix_mock_transactions_total{host="primary",mti="0200",code="none"} 1');
    expect(text).toContain('paymatrix_mock_transport_events_total{host="primary",event="unsent"} 1');
  });
});
