import type { Command } from 'commander';
import { faultTransports, isConnectionFault, listFaults } from '../mocks/faults/index.js';

interface ParamSchema {
  type?: string;
  enum?: unknown[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  pattern?: string;
}

export interface FaultParamRow {
  name: string;
  /** `integer >= 0`, `"refuse" | "reset" | "close"`, … */
  type: string;
  default?: unknown;
  required: boolean;
  description: string;
}

export interface FaultRow {
  name: string;
  description: string;
  /** connection: acts when a terminal connects (scope by nth/firstN/probability only); message: per request. */
  level: 'connection' | 'message';
  /** Where it works: iso8583 (mock acquirer hosts over TCP), http (mock REST gateways). */
  transports: Array<'iso8583' | 'http'>;
  params: FaultParamRow[];
}

/** The registered faults and their parameters, read from each fault's own schema. */
export function describeFaults(): FaultRow[] {
  return listFaults().map((def) => {
    const props = (def.params.properties ?? {}) as Record<string, ParamSchema>;
    const required = new Set((def.params.required as string[] | undefined) ?? []);
    return {
      name: def.name,
      description: def.description,
      level: isConnectionFault(def) ? 'connection' : 'message',
      transports: faultTransports(def),
      params: Object.entries(props).map(([name, s]) => ({
        name,
        type: typeOf(s),
        ...(s.default !== undefined && { default: s.default }),
        required: required.has(name) && s.default === undefined,
        description: s.description ?? '',
      })),
    };
  });
}

export function registerFaults(program: Command): void {
  program
    .command('faults')
    .description(
      'list the registered faults with their transports (iso8583, http), parameters and defaults (docs/faults.md)',
    )
    .option('--json', 'print as JSON')
    .action((opts: { json?: boolean }) => {
      const rows = describeFaults();
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      const out: string[] = [];
      for (const f of rows) {
        const where = `  [${f.transports.join(', ')}]`;
        out.push(
          `${f.name}${where}${f.level === 'connection' ? '  (per connection)' : ''}`,
          `  ${f.description}`,
        );
        const nw = Math.max(0, ...f.params.map((p) => p.name.length)) + 2;
        const tw = Math.max(0, ...f.params.map((p) => p.type.length)) + 2;
        for (const p of f.params) {
          const dflt = p.default !== undefined ? `default ${JSON.stringify(p.default)}` : 'optional';
          out.push(`    ${p.name.padEnd(nw)}${p.type.padEnd(tw)}${dflt.padEnd(20)}${p.description}`);
        }
        out.push('');
      }
      process.stdout.write(out.join('\n'));
    });
}

function typeOf(s: ParamSchema): string {
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  const bounds: string[] = [];
  if (s.minimum !== undefined) bounds.push(`>= ${s.minimum}`);
  if (s.exclusiveMinimum !== undefined) bounds.push(`> ${s.exclusiveMinimum}`);
  if (s.maximum !== undefined) bounds.push(`<= ${s.maximum}`);
  if (s.exclusiveMaximum !== undefined) bounds.push(`< ${s.exclusiveMaximum}`);
  if (s.pattern) bounds.push(`/${s.pattern}/`);
  return [s.type ?? 'any', ...bounds].join(' ');
}
