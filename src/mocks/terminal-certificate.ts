import { endLine, type TlsCredentials } from './test-certificate.js';

const issued = new Map<string, Promise<TlsCredentials>>();

/**
 * A TEST client certificate and key for terminals, issued by a mock host's own certificate acting
 * as the bank's terminal CA: what a host with `tls.clientCertificate: required` accepts (mutual
 * TLS). One per CA per process; it names no terminal, since the host checks only who issued it.
 */
export function terminalCertificate(ca: TlsCredentials): Promise<TlsCredentials> {
  let made = issued.get(ca.cert);
  if (!made) {
    made = issue(ca);
    issued.set(ca.cert, made);
  }
  return made;
}

async function issue(ca: TlsCredentials): Promise<TlsCredentials> {
  const { default: selfsigned } = await import('selfsigned');
  const now = Date.now();
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'paymatrix test terminal (TEST)' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    // Back-dated a day like the host's: a terminal's clock a little ahead must not matter.
    notBeforeDate: new Date(now - 86_400_000),
    notAfterDate: new Date(now + 30 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
    ca: { key: ca.key, cert: ca.cert },
  });
  return { key: endLine(pems.private), cert: endLine(pems.cert) };
}
