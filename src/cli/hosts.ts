import type { Command } from 'commander';
import { type GatewayVersion, type HostVersion, workspaceHosts } from '../mocks/hosts/host-loader.js';
import { type HostTlsSpec, requiresClientCertificate, tlsMinVersion } from '../mocks/hosts/host-schema.js';
import { workspaceArg } from './workspace-arg.js';

export function registerHosts(program: Command): void {
  program
    .command('hosts')
    .description(
      'list the mock acquirer hosts and payment gateways with their versions (built-in and from the workspace)',
    )
    .option('--json', 'print as JSON')
    .option('-w, --workspace <dir>', 'workspace whose mocks/hosts adds hosts', workspaceArg, '.')
    .action((opts: { json?: boolean; workspace: string }) => {
      const registry = workspaceHosts(opts.workspace);
      const hosts = registry.list();
      const gateways = registry.gateways();
      if (opts.json) {
        const rows = [
          ...hosts.map((h) => ({
            id: h.id,
            title: h.title,
            description: h.description,
            kind: h.kind,
            file: h.file,
            versions: h.versions.map((v) => ({
              version: v.version,
              ref: v.ref,
              dialect: v.dialect.id,
              extends: v.lineage[0] ?? null,
              summary: v.spec.summary,
              changes: v.spec.changes,
              messages: Object.keys(v.spec.messages),
              mac: v.spec.mac ? { algorithm: v.spec.mac.algorithm, required: v.spec.mac.required } : null,
              tls: tlsOf(v.spec.tls),
            })),
          })),
          ...gateways.map((g) => ({
            id: g.id,
            title: g.title,
            description: g.description,
            kind: g.kind,
            file: g.file,
            versions: g.versions.map((v) => ({
              version: v.version,
              ref: v.ref,
              api: v.api.ref,
              serves: v.apis.map((a) => a.version),
              selection: v.api.versionHeader ? { header: v.api.versionHeader } : { path: true },
              extends: v.lineage[0] ?? null,
              summary: v.spec.summary,
              changes: v.spec.changes,
              operations: v.api.operations
                .filter((o) => o.action)
                .map((o) => ({
                  action: o.action,
                  operationId: o.operationId,
                  method: o.method,
                  path: o.fullPath,
                })),
              idempotency: v.spec.idempotency,
              tls: tlsOf(v.spec.tls),
            })),
          })),
        ].sort((a, b) => a.id.localeCompare(b.id));
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      const isoVersions = hosts.flatMap((h) => h.versions);
      const gatewayVersions = gateways.flatMap((g) => g.versions);
      const vw = Math.max(0, ...[...isoVersions, ...gatewayVersions].map((v) => v.version.length)) + 2;
      const dw =
        Math.max(
          0,
          ...isoVersions.map((v) => isoLabel(v).length),
          ...gatewayVersions.map((v) => gatewayLabel(v).length),
        ) + 2;
      const lines: Array<[string, string]> = [];
      for (const h of hosts) {
        const out = [`${h.id}  ${h.title}`];
        for (const v of h.versions) {
          const parent = v.lineage[0] ? `  (extends ${v.lineage[0]})` : '';
          out.push(`  ${v.version.padEnd(vw)}${isoLabel(v).padEnd(dw)}${v.spec.summary}${parent}`);
        }
        lines.push([h.id, out.join('\n')]);
      }
      for (const g of gateways) {
        const out = [`${g.id}  ${g.title}  (REST gateway)`];
        for (const v of g.versions) {
          const parent = v.lineage[0] ? `  (extends ${v.lineage[0]})` : '';
          out.push(`  ${v.version.padEnd(vw)}${gatewayLabel(v).padEnd(dw)}${v.spec.summary}${parent}`);
        }
        lines.push([g.id, out.join('\n')]);
      }
      lines.sort(([a], [b]) => a.localeCompare(b));
      process.stdout.write(lines.map(([, text]) => `${text}\n`).join(''));
    });
}

/** `{ minVersion, clientCertificate }` of a version that requires TLS, else null (for --json). */
function tlsOf(tls: HostTlsSpec | undefined) {
  return tls
    ? {
        minVersion: tlsMinVersion(tls),
        clientCertificate: requiresClientCertificate(tls) ? 'required' : 'none',
      }
    : null;
}

/** `TLS 1.3+` (`, client cert` for mutual TLS), or '' for a version that requires none. */
function tlsLabel(tls: HostTlsSpec | undefined): string {
  if (!tls) return '';
  return `TLS ${tlsMinVersion(tls).slice(4)}+${requiresClientCertificate(tls) ? ', client cert' : ''}`;
}

/** `api 2024-06-15 (+2023-10-16)`, then the TLS it requires: `…, TLS 1.2+`. */
function gatewayLabel(v: GatewayVersion): string {
  const tls = tlsLabel(v.spec.tls);
  return `${servedLabel(v.apis.map((a) => a.version))}${tls ? `, ${tls}` : ''}`;
}

/** `api 2024-06-15 (+2023-10-16)`: the default API version first, the others it still serves after. */
function servedLabel(versions: string[]): string {
  const [main, ...rest] = versions;
  return `api ${main}${rest.length > 0 ? ` (+${rest.join(', ')})` : ''}`;
}

/** `cup-pos, TLS 1.3+` (`, client cert` for mutual TLS): the dialect, and the TLS a version requires. */
function isoLabel(v: HostVersion): string {
  const tls = tlsLabel(v.spec.tls);
  return tls ? `${v.dialect.id}, ${tls}` : v.dialect.id;
}
