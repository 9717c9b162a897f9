// The HTTP peers of bench/gateway.ts, each serving the same authorize operation: Stoplight Prism
// mocking the OpenAPI document, a mountebank HTTP imposter and a WireMock stub answering the canned
// JSON. Installed on demand into .bench/ (see peer-process.ts).
import { join } from 'node:path';
import {
  type Installed,
  type Peer,
  type PeerProcess,
  spawnPeer,
  type Unavailable,
  waitReady,
} from './peer-process.js';
import { freePort, LOOPBACK, procChildren, procCpu, procRss } from './support.js';

// Prism 5.15+ needs Node 24; 5.14.2 is the newest that runs on Node 20.
export const PRISM_VERSION = '5.14.2';
export const MB_VERSION = '2.9.1';
export const WIREMOCK_VERSION = '3.13.2';

/** The answer the canned peers give: what our gateway answered to a probe authorization. */
export interface Canned {
  method: string;
  path: string;
  status: number;
  contentType: string;
  body: string;
}

const processPeer = (proc: PeerProcess, port: number, pid = proc.child.pid): Peer => ({
  port,
  close: () => proc.stop(),
  cpu: () => procCpu(pid),
  rss: () => procRss(pid),
});

/**
 * `prism mock <document>` at its defaults (static examples, request validation: an invalid request
 * gets 422, a missing credential 401) but logging only fatal errors: at info it logs every request,
 * and at warn or error every request whose schema-generated answer breaks a pattern of the document
 * (e.g. `id: "string"` where the document says `^pi_`), which would make it measure its logger.
 */
export async function startPrism(install: Installed, document: string): Promise<Peer | Unavailable> {
  const port = await freePort();
  const args = [join(install.pkgDir, 'dist', 'index.js'), 'mock', document];
  args.push('--host', LOOPBACK, '--port', String(port), '--verboseLevel', 'fatal');
  const prism = spawnPeer(process.execPath, args, install.dir);
  // Prism answers 404 (no route) or 4xx (invalid) to a bare GET once it listens.
  const late = await waitReady(
    prism,
    () => fetch(`http://${LOOPBACK}:${port}/`).then((r) => r.status > 0),
    60_000,
    'not listening',
  );
  if (late) {
    await prism.stop();
    return { unavailable: `prism ${late} (${prism.tail()})` };
  }
  return processPeer(prism, port);
}

/**
 * One HTTP imposter with one stub (method + path) answering the canned JSON. mountebank's default
 * response carries `Connection: close`; the stub and the default response say keep-alive, or every
 * request would pay a new TCP connection.
 */
export function httpImposter(canned: Canned): object {
  const keepAlive = { Connection: 'keep-alive' };
  return {
    protocol: 'http',
    name: 'paymatrix-bench canned authorization',
    defaultResponse: { statusCode: 404, headers: keepAlive },
    stubs: [
      {
        predicates: [{ equals: { method: canned.method, path: canned.path } }],
        responses: [
          {
            is: {
              statusCode: canned.status,
              headers: { ...keepAlive, 'Content-Type': canned.contentType },
              body: canned.body,
            },
          },
        ],
      },
    ],
  };
}

/**
 * The npm `wiremock` wrapper (`node index.js` runs `java -jar` on its bundled jar) on loopback, then
 * one stub (method + path) answering the canned JSON. Its request journal: 'off', 'unbounded'
 * (WireMock's default: it keeps every request and its heap grows by the gigabyte under load), or
 * bounded to the newest N requests (`--max-request-journal-entries`), like the gateway's own journal.
 * The wrapper does not pass signals on: the java process is found among its children and stopped by
 * its PID.
 */
export type WireMockJournal = 'off' | 'unbounded' | number;

export async function startWireMock(
  install: Installed,
  canned: Canned,
  journal: WireMockJournal = 'off',
): Promise<Peer | Unavailable> {
  const port = await freePort();
  const args = [join(install.pkgDir, 'index.js'), '--port', String(port), '--bind-address', LOOPBACK];
  args.push('--disable-banner');
  if (journal === 'off') args.push('--no-request-journal');
  else if (journal !== 'unbounded') args.push('--max-request-journal-entries', String(journal));
  const wrapper = spawnPeer(process.execPath, args, install.dir);
  const admin = `http://${LOOPBACK}:${port}/__admin`;
  let javaPid: number | undefined;
  const stop = async () => {
    if (javaPid !== undefined) {
      try {
        process.kill(javaPid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    await wrapper.stop();
    if (javaPid !== undefined && procCpu(javaPid) !== undefined) {
      try {
        process.kill(javaPid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  const late = await waitReady(
    wrapper,
    async () => {
      javaPid ??= procChildren(wrapper.child.pid!)[0];
      return (await fetch(`${admin}/mappings`)).ok;
    },
    60_000,
    'no answer on /__admin',
  );
  javaPid ??= procChildren(wrapper.child.pid!)[0];
  const fail = async (why: string) => {
    const tail = wrapper.tail();
    await stop();
    return { unavailable: `${why}${tail ? ` (wiremock: ${tail})` : ''}` };
  };
  if (late) return fail(`wiremock ${late}`);
  if (javaPid === undefined) return fail('no java process under the npm wrapper');
  const mapping = {
    request: { method: canned.method, urlPath: canned.path },
    response: { status: canned.status, headers: { 'Content-Type': canned.contentType }, body: canned.body },
  };
  const created = await fetch(`${admin}/mappings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(mapping),
  }).catch((err: Error) => err);
  if (created instanceof Error) return fail(`POST /__admin/mappings: ${created.message}`);
  if (created.status !== 201) return fail(`POST /__admin/mappings answered ${created.status}`);
  const pid = javaPid;
  return { port, close: stop, cpu: () => procCpu(pid), rss: () => procRss(pid) };
}
