import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Value } from '@sinclair/typebox/value';
import type { Command } from 'commander';
import { filterOf, JournalFilterQuery } from '../mocks/admin/journal-query.js';
import type { Exchange, Transport } from '../mocks/exchange.js';
import { exchangeLine } from '../mocks/exchange-line.js';
import { filterMismatch, journalFilter } from '../mocks/journal-filter.js';
import { UsageError } from './input.js';

interface JournalOptions extends JournalFilterQuery {
  json?: boolean;
}

/**
 * `paymatrix journal <file>`: the exchanges of a journal file (`paymatrix mock --journal-out`) that
 * match the admin API's filters, a line each, or as JSON lines for further tools. A file cut short
 * by a crash still reads: a line that is not JSON is skipped with a warning.
 */
export function registerJournal(program: Command): void {
  program
    .command('journal')
    .description(
      'list the exchanges of a journal file (paymatrix mock --journal-out) that match the filters, a line each',
    )
    .argument('<file>', 'a journal file: one JSON exchange per line')
    .option('--mti <list>', 'ISO 8583 request MTIs, comma-separated, e.g. 0200,0400')
    .option('--operation <list>', 'REST operationIds, comma-separated')
    .option('--terminal <id>', 'ISO 8583 terminal id (DE41)')
    .option('--stan <n>', 'ISO 8583 STAN (DE11) of the request or its answer')
    .option(
      '--code <list>',
      'response codes (DE39) or HTTP statuses, comma-separated, e.g. 00,94; none: no answer sent',
    )
    .option('--violations', 'only exchanges that broke a rule of the host version')
    .option('--no-violations', 'only exchanges that broke no rule')
    .option('--event <list>', 'transport events, comma-separated, e.g. fault,reset')
    .option('--fault <list>', 'ids of faults that fired, comma-separated')
    .option('--text <text>', 'text in a summary line, any case')
    .option('--json', 'print the matching exchanges as JSON lines (as in the file)')
    .action(async (file: string, opts: JournalOptions) => {
      const { json, ...query } = opts;
      const problems = [...Value.Errors(JournalFilterQuery, query)].map(
        (e) => `--${e.path.slice(1)} must be ${e.schema.description ?? e.message}`,
      );
      if (problems.length > 0) throw new UsageError(problems.join('; '));
      try {
        await access(file);
      } catch (err) {
        throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
      }
      const filter = filterOf(query);
      const match = journalFilter(filter);
      let transport: Transport | undefined;
      let read = 0;
      let matched = 0;
      let skipped = 0;
      let lineNo = 0;
      const lines = createInterface({
        input: createReadStream(file, 'utf8'),
        crlfDelay: Number.POSITIVE_INFINITY,
      });
      for await (const line of lines) {
        lineNo++;
        if (line.trim() === '') continue;
        let exchange: Exchange;
        try {
          exchange = JSON.parse(line) as Exchange;
          if (typeof exchange !== 'object' || exchange === null || !Array.isArray(exchange.violations))
            throw new Error('not an exchange');
        } catch {
          process.stderr.write(`warning: ${file}:${lineNo}: not a JSON exchange, skipped\n`);
          skipped++;
          continue;
        }
        read++;
        // A journal is one host's: a filter for the other transport matches nothing, and says why.
        if (transport === undefined) {
          transport = exchange.transport;
          const mismatch = filterMismatch(filter, transport);
          if (mismatch) throw new UsageError(`${file}: ${mismatch}`);
        }
        if (!match(exchange)) continue;
        matched++;
        process.stdout.write(json ? `${line}\n` : describe(exchange));
      }
      // Lines, none of them an exchange: the wrong file, not an empty journal.
      if (read === 0 && skipped > 0)
        throw new UsageError(`${file} holds no journal exchanges (${skipped} other line(s))`);
      process.stderr.write(`${matched} of ${read} exchanges matched\n`);
    });
}

/** An exchange as the mock logs it, with the host's notes and the rules it broke on lines of their own. */
function describe(e: Exchange): string {
  const head = `${e.at}  ${e.host}  #${e.seq}  ${exchangeLine(e)}\n`;
  return (
    head +
    (e.notes ?? []).map((n) => `    note: ${n}\n`).join('') +
    e.violations.map((v) => `    ${v.rule}${v.path ? ` ${v.path}` : ''}: ${v.message}\n`).join('')
  );
}
