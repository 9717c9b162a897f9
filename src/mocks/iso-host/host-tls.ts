import { X509Certificate } from 'node:crypto';
import type { Socket } from 'node:net';
import { createSecureContext, type SecureContext, TLSSocket } from 'node:tls';
import {
  type HostTlsSpec,
  requiresClientCertificate,
  type TlsVersion,
  tlsMinVersion,
} from '../hosts/host-schema.js';
import { terminalCertificate } from '../terminal-certificate.js';
import { type TlsCredentials, testCertificate } from '../test-certificate.js';

/** What a host that speaks ISO 8583 inside TLS (or a gateway that speaks HTTPS) serves. */
export interface HostTls {
  context: SecureContext;
  /** Its key and certificate (PEM), for a server that builds its own context (HTTPS). */
  credentials: TlsCredentials;
  /** PEM: a terminal trusts it as its CA. */
  certificate: string;
  minVersion: TlsVersion;
  /**
   * Mutual TLS: the terminal CA (the host's own certificate) a terminal's certificate must be
   * issued by, and a test terminal certificate and key it issued.
   */
  clients?: { ca: X509Certificate; terminal: TlsCredentials };
}

/**
 * TLS for this host instance: as its version says (`tls:`), unless `option` says otherwise — true
 * (TLS with the generated test certificate), a key and certificate of one's own, or false (plain TCP).
 * ISO hosts and gateways alike: both versions carry the same `tls`.
 */
export async function hostTls(
  version: { spec: { tls?: HostTlsSpec | undefined } },
  option: boolean | TlsCredentials | undefined,
): Promise<HostTls | undefined> {
  const on = option === undefined ? version.spec.tls !== undefined : option !== false;
  if (!on) return undefined;
  const credentials = typeof option === 'object' ? option : await testCertificate();
  // Forced on (`tls: true`) for a version without `tls`: the same default as a version with `tls: {}`.
  const minVersion = tlsMinVersion(version.spec.tls ?? {});
  const mutual = requiresClientCertificate(version.spec.tls);
  return {
    context: createSecureContext({
      key: credentials.key,
      cert: credentials.cert,
      minVersion,
      // The CA names the host's certificate request lists; the check itself is checkClient's.
      ...(mutual && { ca: credentials.cert }),
    }),
    credentials,
    certificate: credentials.cert,
    minVersion,
    ...(mutual && {
      clients: {
        ca: new X509Certificate(credentials.cert),
        terminal: await terminalCertificate(credentials),
      },
    }),
  };
}

export interface HandshakeEvents {
  /** The handshake completed: serve ISO 8583 on `socket`; `detail` names the protocol and cipher. */
  secure(socket: TLSSocket, detail: string): void;
  /**
   * It did not complete: it failed (a refusal of the host's), ran out of time, or the terminal hung
   * up (it may not trust the host's certificate). The connection is already being closed.
   */
  failed(why: string, how: 'refused' | 'timed-out' | 'abandoned'): void;
}

/**
 * Runs the server side of the TLS handshake on an accepted TCP connection. A terminal that says
 * nothing has `timeoutMs` (0: no limit) to start, as an idle connection would.
 */
/** Transport errors during a handshake: the peer went away, TLS had nothing to say about it. */
export const HANG_UPS = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

export function acceptTls(raw: Socket, tls: HostTls, timeoutMs: number, on: HandshakeEvents): void {
  const socket = new TLSSocket(raw, {
    isServer: true,
    secureContext: tls.context,
    // Asked for, not enforced by Node: a TLSSocket made by hand (not by tls.Server) completes the
    // handshake whatever the terminal sent, so the 'secure' handler checks it.
    ...(tls.clients && { requestCert: true, rejectUnauthorized: false }),
  });
  let done = false;
  const timer =
    timeoutMs > 0
      ? setTimeout(() => {
          done = true;
          on.failed(`no TLS handshake within ${Math.round(timeoutMs)} ms`, 'timed-out');
          raw.destroy();
        }, timeoutMs)
      : undefined;
  socket.on('error', (err: NodeJS.ErrnoException) => {
    if (done) return; // after the handshake the host treats errors as a plain connection's
    done = true;
    clearTimeout(timer);
    // A reset is the terminal giving up (its connect timeout), not the host refusing it: an
    // event, never a violation.
    if (HANG_UPS.has(err.code ?? ''))
      on.failed(`the terminal hung up during the handshake (${err.code})`, 'abandoned');
    else on.failed(handshakeFailure(err, tls.minVersion), 'refused');
    socket.destroy();
  });
  raw.once('close', () => {
    clearTimeout(timer);
    if (done) return;
    // A client that rejects the certificate hangs up without a word to the server.
    done = true;
    on.failed("the terminal closed the connection (does it trust this host's certificate?)", 'abandoned');
  });
  socket.once('secure', () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    const refused = tls.clients && checkClient(socket.getPeerX509Certificate(), tls.clients.ca, new Date());
    if (refused) {
      on.failed(refused, 'refused');
      socket.destroy();
      return;
    }
    const cipher = socket.getCipher()?.name ?? 'unknown cipher';
    on.secure(socket, `${socket.getProtocol() ?? 'TLS'} ${cipher}`);
  });
}

/**
 * Mutual TLS: why the terminal's certificate is refused, or undefined when it was issued by the
 * host's terminal CA and is valid now. The reasons name the certificate by its subject, never more.
 */
export function checkClient(
  peer: X509Certificate | undefined,
  ca: X509Certificate,
  now: Date,
  /** What the reasons call the server: `host`, or `gateway`. */
  server = 'host',
): string | undefined {
  if (!peer) return `the terminal presented no client certificate (this ${server} requires one: mutual TLS)`;
  const subject = peer.subject.replace(/\n/g, ', ');
  if (!peer.checkIssued(ca) || !peer.verify(ca.publicKey)) {
    return `the terminal's client certificate (${subject}) is not issued by this ${server}'s terminal CA`;
  }
  if (now < new Date(peer.validFrom)) {
    return `the terminal's client certificate (${subject}) is not valid before ${peer.validFrom}`;
  }
  if (now > new Date(peer.validTo)) {
    return `the terminal's client certificate (${subject}) expired on ${peer.validTo}`;
  }
  return undefined;
}

/** OpenSSL's reason, in the terms of a terminal that cannot talk to its bank. */
export function handshakeFailure(err: NodeJS.ErrnoException, minVersion: string, server = 'host'): string {
  switch (err.code) {
    // A record that is not TLS: an ISO 8583 length prefix, an HTTP request …
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
    case 'ERR_SSL_HTTP_REQUEST':
    case 'ERR_SSL_PACKET_LENGTH_TOO_LONG':
    case 'ERR_SSL_RECORD_LENGTH_MISMATCH':
      return 'the terminal speaks plain TCP (its first bytes are no TLS record)';
    case 'ERR_SSL_UNSUPPORTED_PROTOCOL':
      return `the terminal offers only TLS versions older than ${minVersion}, the oldest this ${server} accepts`;
    default: {
      const line = err.message.split('\n')[0]!;
      // OpenSSL's own text: "…:SSL routines:<function>:<reason>:<file>:<line>:…" (sometimes ending
      // in "SSL alert number 48"); keep the reason ("no shared cipher", "tlsv1 alert unknown ca").
      return /SSL routines:[^:]*:([^:]+):/.exec(line)?.[1] ?? /:([^:]+):[^:]*:\d+:?$/.exec(line)?.[1] ?? line;
    }
  }
}

/**
 * The first bytes of a TLS connection: a handshake record (22) of record version 3.1–3.4, its
 * first message a ClientHello (1). An ISO 8583 frame does not start so: ASCII length digits are
 * 0x30–0x39, and a binary prefix would declare a 5,635-byte first message whose MTI is 01xx–04xx
 * and whose next bytes happen to match too.
 */
export function looksLikeTlsHello(chunk: Uint8Array): boolean {
  return (
    chunk.length >= 6 &&
    chunk[0] === 0x16 &&
    chunk[1] === 0x03 &&
    chunk[2]! >= 0x01 &&
    chunk[2]! <= 0x04 &&
    chunk[5] === 0x01
  );
}
