import { createServer, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { maskHeaders } from '../../../src/protocols/rest/index.js';
import { gateway, NIMBUS_KEY, nimbusBody, recorded, useGateways, VISA, VISA_MASKED } from './support.js';

useGateways();

/** Sends one raw HTTP/1.1 request (headers exactly as written, repeats included) and reads the answer. */
function rawRequest(port: number, head: string[], body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.end(
        `${[...head, `Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close'].join('\r\n')}\r\n\r\n${body}`,
      );
    });
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

/** The header object node's own server makes of the same request. */
async function nodeHeaders(head: string[], body: string): Promise<IncomingHttpHeaders> {
  let seen: IncomingHttpHeaders | undefined;
  const server = createServer((req, res) => {
    seen = req.headers;
    req.resume();
    req.on('end', () => res.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await rawRequest((server.address() as { port: number }).port, head, body);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  return seen!;
}

describe('journal records', () => {
  it('show the headers node parsed (repeats joined or dropped as node does), masked', async () => {
    const g = await gateway('nimbus-pay@2024-06-15');
    const body = JSON.stringify(nimbusBody('2024-06-15'));
    const head = [
      'POST /v1/payment_intents?x=1 HTTP/1.1',
      'Host: 127.0.0.1',
      'Host: other.test',
      'Content-Type: application/json',
      `Authorization: Bearer ${NIMBUS_KEY}`,
      'Idempotency-Key: rec-1',
      'X-Trace: a',
      'X-Trace: b',
      'Cookie: c=1',
      'Cookie: d=2',
      'Set-Cookie: e=1',
      'Set-Cookie: f=2',
      'User-Agent: first',
      'User-Agent: second',
    ];
    const answer = await rawRequest(g.address.port, head, body);
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    await recorded(g, 1);
    const e = g.journal.entries().find((x) => x.request)!;
    const expected = maskHeaders(await nodeHeaders(head, body));
    expect(e.request!.http!.headers).toEqual(expected);
    expect(expected).toMatchObject({
      host: '127.0.0.1',
      'x-trace': 'a, b',
      cookie: '****',
      'set-cookie': '****',
      'user-agent': 'first',
      authorization: 'Bearer ****p7dc',
    });
    expect(e.request!.http!.path).toBe('/v1/payment_intents?x=1');
    expect(e.request!.summary).toBe('POST /v1/payment_intents authorize 10.00 USD');
  });

  it('are built once when read, copy like plain objects, and leave the process as masked data', async () => {
    const g = await gateway('nimbus-pay@2024-06-15');
    const res = await fetch(`${g.url}/v1/payment_intents`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${NIMBUS_KEY}`,
        'idempotency-key': 'rec-2',
      },
      body: JSON.stringify(nimbusBody('2024-06-15')),
    });
    const text = await res.text();
    await recorded(g, 1);
    const e = g.journal.entries().find((x) => x.request)!;
    expect(e.request).toBe(e.request);
    expect(e.response).toBe(e.response);
    // Own properties, as with a plain exchange: a spread copy keeps them.
    const copy = { ...e, request: { ...e.request! } };
    expect(copy.request.http!.headers.authorization).toBe('Bearer ****p7dc');
    expect(copy.response).toBe(e.response);
    const plain = JSON.parse(JSON.stringify(e));
    expect(Object.keys(plain)).toEqual(
      expect.arrayContaining([
        'seq',
        'transport',
        'host',
        'at',
        'request',
        'response',
        'violations',
        'faults',
      ]),
    );
    expect(plain.request.http.body.payment_method_data.card.number).toBe(VISA_MASKED);
    expect(plain.response).toEqual({
      summary: e.response!.summary,
      size: Buffer.byteLength(text),
      http: { status: 200, headers: e.response!.http!.headers, body: JSON.parse(text) },
    });
    const all = JSON.stringify(g.journal.entries());
    expect(all).not.toContain(VISA);
    expect(all).not.toContain(NIMBUS_KEY);
  });
});
