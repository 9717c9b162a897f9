// The server bench/host-instructions.ts runs under valgrind: the paymatrix host, or the bare or codec
// node:net peer of bench/host.ts, on loopback. Prints its port as one JSON line; SIGINT ends it.
// Usage: node instructions-server.js paymatrix|bare|codec <the host's answer to the sale, a frame in hex>
import { workspaceHosts } from '../src/mocks/hosts/host-loader.js';
import { startIsoHost } from '../src/mocks/iso-host/start-iso-host.js';
import { decodeFrame } from '../src/protocols/iso8583/index.js';
import { codecAnswer, startNetPeer } from './net-peer.js';
import { HOST_REF } from './sale.js';

const [mode, cannedHex = ''] = process.argv.slice(2);
let port: number;
if (mode === 'paymatrix') {
  port = (await startIsoHost({ host: HOST_REF, timeScale: 0 })).address.port;
} else if (mode === 'bare' || mode === 'codec') {
  const dialect = workspaceHosts().get(HOST_REF).dialect;
  const framing = dialect.framing!;
  const canned = Buffer.from(cannedHex, 'hex');
  const answerFor =
    mode === 'bare' ? () => canned : codecAnswer(dialect, dialect.unpack(decodeFrame(framing, canned).body));
  port = (await startNetPeer(framing, answerFor)).port;
} else {
  throw new Error(`mode must be paymatrix, bare or codec, not ${mode}`);
}
process.on('SIGINT', () => process.exit(0));
console.log(JSON.stringify({ port }));
