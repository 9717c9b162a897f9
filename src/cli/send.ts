import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import { describeMessage } from '../protocols/iso8583/describe.js';
import {
  type Dialect,
  type FramedMessage,
  frameOverhead,
  hasResponseMti,
  type IsoMessage,
  maskMessage,
  workspaceDialects,
} from '../protocols/iso8583/index.js';
import { signMessage } from '../protocols/iso8583/message-mac.js';
import { mismatch } from '../terminals/reference/iso/correlation.js';
import { IsoLink, type LinkOptions } from '../terminals/reference/iso/iso-link.js';
import { collect, readFramedMessage, UsageError } from './input.js';
import { workspaceArg } from './workspace-arg.js';

interface SendOptions {
  dialect: string;
  set: string[];
  macKey?: string;
  timeout: number;
  json?: boolean;
  workspace: string;
  tls?: boolean;
  /** PEM file of the CA to trust over TLS (a mock's: paymatrix mock --cert-out). */
  ca?: string;
  /** PEM file with the terminal's certificate and key, for mutual TLS (paymatrix mock --terminal-cert-out). */
  cert?: string;
}

/** What came of one message sent to a host. */
type Sent =
  | { answered: true; response: FramedMessage; size: number; ms: number; mismatch?: string }
  | { answered: false; why: string; ms: number };

/**
 * `paymatrix send`: one ISO 8583 message to a host over TCP, its answer printed field by field —
 * the quickest way to poke a `paymatrix mock` (or a lab host) by hand while bringing up a terminal
 * integration, or from a script. Exit 0 when an answer came (whatever its code), 1 when none did.
 */
export function registerSend(program: Command): void {
  program
    .command('send')
    .description(
      'send one ISO 8583 message to a host over TCP and print its answer field by field (card data masked)',
    )
    .argument('<address>', 'host:port, e.g. 127.0.0.1:8583 (a paymatrix mock, or a lab host)', addressArg)
    .argument('<message>', 'JSON {"mti", "fields", "tpdu"?, "header"?}, or @file, or @- for stdin')
    .requiredOption('-d, --dialect <id>', 'dialect id, with its framing (see `paymatrix dialects`)')
    .option('--set <id=value>', 'set a field before sending, e.g. --set 11=000124 (repeatable)', collect, [])
    .option('--mac-key <hex>', "fill the MAC field using the dialect's MAC algorithm and this test key")
    .option('--timeout <ms>', 'how long to wait to connect, then for the answer', msArg, 10_000)
    .option('--tls', 'speak ISO 8583 inside TLS (a host whose version requires it, or a mock run with --tls)')
    .option(
      '--ca <file>',
      "with --tls: PEM certificate(s) to trust, e.g. the mock's (paymatrix mock --cert-out)",
    )
    .option(
      '--cert <file>',
      'with --tls: PEM with the terminal certificate and its key, for a host that requires one (paymatrix mock --terminal-cert-out)',
    )
    .option('--json', 'print request and answer as JSON (card data masked)')
    .option('-w, --workspace <dir>', 'workspace whose protocols/iso8583 adds dialects', workspaceArg, '.')
    .action(async (address: { host: string; port: number }, input: string, opts: SendOptions) => {
      if (opts.ca !== undefined && !opts.tls) throw new UsageError('--ca is for TLS: add --tls');
      if (opts.cert !== undefined && !opts.tls) throw new UsageError('--cert is for TLS: add --tls');
      const client = opts.cert !== undefined ? readClientPem(opts.cert) : undefined;
      const tls = opts.tls
        ? {
            maxVersion: 'TLSv1.3' as const,
            ...(opts.ca && { ca: readPem('--ca', opts.ca) }),
            // One file holds both: OpenSSL reads the certificate and the key blocks out of it.
            ...(client && { client: { cert: client, key: client } }),
          }
        : undefined;
      const dialect = workspaceDialects(opts.workspace).get(opts.dialect);
      if (!dialect.framing) {
        throw new UsageError(`dialect ${dialect.id} has no framing: it cannot say how to send over TCP`);
      }
      const framed = readFramedMessage(input);
      framed.message = withFields(dialect, framed.message, opts.set);
      if (opts.macKey) {
        if (!/^([0-9A-Fa-f]{16}){1,2}$/.test(opts.macKey))
          throw new UsageError('--mac-key must be 16 or 32 hex digits');
        framed.message = signMessage(dialect, framed.message, Buffer.from(opts.macKey, 'hex'));
      }
      const bytes = dialect.packFrame(framed);
      // Shown and compared as it goes on the wire (`--set 11=7` leaves as 000007).
      const request = dialect.unpackFrame(bytes, { strict: false });
      const sent = await exchange(dialect, address, bytes, request.message, opts.timeout, tls);
      // A response sent by hand gets no answer from any host: say why rather than only "none".
      if (!sent.answered && !hasResponseMti(request.message.mti)) {
        sent.why += ` (MTI ${request.message.mti} is a response or an acknowledgement, which no host answers)`;
      }
      const where = `${address.host}:${address.port}`;
      if (opts.json) {
        const masked = (f: FramedMessage) => ({ ...f, message: maskMessage(dialect, f.message) });
        const out = {
          dialect: dialect.id,
          address: where,
          request: { ...masked(request), size: bytes.length },
          ...(sent.answered
            ? {
                response: { ...masked(sent.response), size: sent.size },
                ms: sent.ms,
                ...(sent.mismatch && { mismatch: sent.mismatch }),
              }
            : { error: sent.why, ms: sent.ms }),
        };
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      } else {
        process.stdout.write(`→ ${where}  ${bytes.length} bytes\n${describeMessage(dialect, request)}\n`);
        if (sent.answered) {
          process.stdout.write(
            `← ${sent.size} bytes in ${sent.ms} ms\n${describeMessage(dialect, sent.response)}\n`,
          );
        }
      }
      if (sent.answered && sent.mismatch) process.stderr.write(`warning: the answer's ${sent.mismatch}\n`);
      if (!sent.answered) {
        process.stderr.write(`error: no answer from ${where}: ${sent.why}\n`);
        process.exitCode = 1;
      }
    });
}

/** Connects, sends the frame, waits for one frame back and decodes it (leniently: show what came). */
async function exchange(
  dialect: Dialect,
  at: { host: string; port: number },
  bytes: Buffer,
  request: IsoMessage,
  timeoutMs: number,
  tls: LinkOptions['tls'],
): Promise<Sent> {
  const framing = dialect.framing!;
  const link = new IsoLink({
    framing,
    primary: at,
    ...(tls && { tls }),
    connectTimeoutMs: timeoutMs,
    retryDelayMs: 0,
    attempts: 1,
    emit: () => {},
  });
  const signal = new AbortController().signal;
  const t0 = performance.now();
  const ms = () => Math.round((performance.now() - t0) * 10) / 10;
  try {
    await link.connect(signal);
  } catch (err) {
    // IsoLink names the attempt ("primary 127.0.0.1:8583 ECONNREFUSED"): the address is said already.
    const why = (err as Error).message.replace(/^primary \S+ /, '');
    const untrusted = tls && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(why);
    const hint = untrusted
      ? "; trust the host's certificate with --ca <file> (a mock writes it: --cert-out)"
      : '';
    return { answered: false, why: `could not connect (${why})${hint}`, ms: ms() };
  }
  try {
    link.send(bytes);
    const next = await link.next(timeoutMs, signal);
    if ('timeout' in next) return { answered: false, why: `none within ${timeoutMs} ms`, ms: ms() };
    if ('closed' in next) {
      // A host hangs up without a word on a plain frame when it requires TLS, on a frame of another
      // dialect's framing, and on a TLS terminal without a certificate when it requires one.
      const hint = !tls
        ? '; does the host require TLS (--tls), or speak another dialect or framing (-d)?'
        : tls.client
          ? "; is --cert issued by this host's terminal CA? (a mock writes one: --terminal-cert-out)"
          : '; does the host require a client certificate? (--cert <file>; a mock writes one: --terminal-cert-out)';
      return { answered: false, why: `the connection closed (${next.closed})${hint}`, ms: ms() };
    }
    const { frame } = next;
    const elapsed = ms();
    const size = frameOverhead(framing) + frame.body.length;
    let message: IsoMessage;
    try {
      message = dialect.unpack(frame.body, { strict: false });
    } catch (err) {
      // Not the bytes: an answer may echo card data, and the codec's error already masks it.
      return {
        answered: false,
        why: `${size} bytes that do not decode: ${(err as Error).message}`,
        ms: elapsed,
      };
    }
    const response: FramedMessage = { message };
    if (frame.tpdu) response.tpdu = frame.tpdu;
    if (frame.header) response.header = frame.header.toString('hex').toUpperCase();
    const wrong = mismatch(request, message, true);
    return {
      answered: true,
      response,
      size,
      ms: elapsed,
      ...(wrong && { mismatch: wrong }),
    };
  } finally {
    link.close();
  }
}

/** --cert: the terminal's certificate and its key, in one PEM file as --terminal-cert-out writes it. */
function readClientPem(path: string): string {
  const pem = readPem('--cert', path);
  const missing = [
    ...(/-----BEGIN CERTIFICATE-----/.test(pem) ? [] : ['certificate']),
    ...(/-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/.test(pem) ? [] : ['private key']),
  ];
  if (missing.length > 0) {
    throw new UsageError(
      `--cert: ${path} holds no ${missing.join(' and no ')} (one PEM file with both, as paymatrix mock --terminal-cert-out writes)`,
    );
  }
  return pem;
}

function readPem(option: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`${option}: cannot read ${path}: ${(err as Error).message}`);
  }
}

/** The message with `--set id=value` applied (top-level elements the dialect defines). */
function withFields(dialect: Dialect, message: IsoMessage, sets: string[]): IsoMessage {
  const fields = { ...message.fields };
  for (const set of sets) {
    const m = /^([0-9]{1,3})=(.*)$/s.exec(set);
    if (!m) throw new UsageError(`--set ${set}: expected <element>=<value>, e.g. 11=000124`);
    const id = String(Number(m[1]));
    if (!dialect.field(Number(id))) throw new UsageError(`--set ${set}: ${dialect.id} has no DE${id}`);
    fields[id] = m[2]!;
  }
  return { ...message, fields };
}

function addressArg(value: string): { host: string; port: number } {
  const m = /^(.+):([0-9]{1,5})$/.exec(value);
  const port = Number(m?.[2]);
  if (!m || port < 1 || port > 65535)
    throw new InvalidArgumentError('must be host:port, e.g. 127.0.0.1:8583');
  return { host: m[1]!.replace(/^\[(.*)\]$/, '$1'), port };
}

function msArg(value: string): number {
  if (!/^[0-9]+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError('must be milliseconds >= 1');
  return Number(value);
}
