/** A key and certificate (PEM) for a mock that speaks TLS: a gateway's HTTPS, a host's ISO 8583 over TLS. */
export interface TlsCredentials {
  key: string;
  cert: string;
}

let cached: Promise<TlsCredentials> | undefined;

/**
 * A self-signed TEST certificate for localhost, 127.0.0.1 and ::1, made once per process
 * (testKeyAndValidity). Clients trust it by passing `cert` as
 * their CA, the way a terminal is provisioned with a test root; it protects nothing.
 */
export function testCertificate(): Promise<TlsCredentials> {
  cached ??= generate();
  return cached;
}

async function generate(): Promise<TlsCredentials> {
  // Loaded on first use: the X.509 stack is a few MB of heap that a plain mock never needs.
  const { default: selfsigned } = await import('selfsigned');
  return selfsigned
    .generate([{ name: 'commonName', value: 'paymatrix mock host (TEST)' }], {
      ...testKeyAndValidity(),
      extensions: [
        { name: 'basicConstraints', cA: true },
        { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'localhost' },
            { type: 7, ip: '127.0.0.1' },
            { type: 7, ip: '::1' },
          ],
        },
      ],
    })
    .then((pems) => ({ key: endLine(pems.private), cert: endLine(pems.cert) }));
}

/**
 * The key and validity of every test certificate: EC P-256 (generating it takes milliseconds, an
 * RSA key much longer), valid for 30 days and back-dated a day, so that a peer whose clock is a
 * little behind does not see "not yet valid".
 */
export function testKeyAndValidity() {
  const now = Date.now();
  return {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 86_400_000),
    notAfterDate: new Date(now + 30 * 86_400_000),
  } as const;
}

/**
 * A PEM block ending in a newline: selfsigned ends certificates without one, and a certificate
 * followed by its key in one file ("…-----END CERTIFICATE----------BEGIN…") is unreadable.
 */
export function endLine(pem: string): string {
  return pem.endsWith('\n') ? pem : `${pem}\n`;
}
