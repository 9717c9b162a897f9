import { endLine, type TlsCredentials, testKeyAndValidity } from './test-certificate.js';

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
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'paymatrix test terminal (TEST)' }], {
    ...testKeyAndValidity(),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
    ca: { key: ca.key, cert: ca.cert },
  });
  return { key: endLine(pems.private), cert: endLine(pems.cert) };
}
