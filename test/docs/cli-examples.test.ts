// Every paymatrix command line the README, docs/*.md and the CI examples show must still be one the
// CLI accepts: the command exists, every option it uses is one of that command's (with a value
// where one is needed, from the allowed choices), and a full example gives the required arguments.
// Docs drift silently when an option is renamed; a newcomer copying a line should never meet
// "unknown option". Commander parses each line (parseOptions: no action runs). The other way round,
// every option the CLI has is named somewhere in the docs.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type Command, CommanderError } from 'commander';
import { parse } from 'shell-quote';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';

const root = join(import.meta.dirname, '..', '..');

interface Example {
  /** file:line */
  where: string;
  /** The words after `paymatrix`. */
  words: string[];
  /** A whole command line (code block, CI file), not a synopsis quoted in a sentence. */
  full: boolean;
}

const SHELL_BLOCK = /^(sh|bash|shell|console)$/;

/** Splits a shell line at `&&`, `;`, `|`, `&` and keeps the pieces that run paymatrix. */
function commandsIn(line: string): string[][] {
  // Placeholders the docs use (`${{ matrix.shard }}`, `$k`) stand for one word each.
  const tokens = parse(line.replace(/\$\{\{[^}]*\}\}/g, 'X'), (name) => `$${name}`);
  const commands: string[][] = [[]];
  for (const t of tokens) {
    if (typeof t === 'string') commands.at(-1)!.push(t);
    else if ('op' in t && t.op !== 'glob') commands.push([]);
    else if ('pattern' in t) commands.at(-1)!.push(t.pattern);
  }
  return commands.flatMap((words) => {
    const at = words.indexOf('paymatrix');
    if (at < 0 || (at > 0 && words[at - 1] !== 'npx')) return [];
    return [words.slice(at + 1)];
  });
}

function examplesOfMarkdown(file: string): Example[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const examples: Example[] = [];
  const where = (i: number) => `${relative(root, file)}:${i + 1}`;
  let block: string | undefined; // the open fence's language
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = /^\s*```(\S*)/.exec(line);
    if (fence) {
      block = block === undefined ? fence[1]! : undefined;
      continue;
    }
    if (block !== undefined) {
      if (!SHELL_BLOCK.test(block)) continue;
      let text = line.replace(/^\s*\$\s+/, '').replace(/\s#.*$/, '');
      const first = i;
      while (text.endsWith('\\') && i + 1 < lines.length) text = `${text.slice(0, -1)} ${lines[++i]!.trim()}`;
      for (const words of commandsIn(text)) examples.push({ where: where(first), words, full: true });
      continue;
    }
    // `paymatrix …` quoted in prose: a synopsis (`<dir>`, `[--json]`), so only its options count.
    for (const m of line.matchAll(/`(?:npx )?paymatrix ([^`]+)`/g)) {
      const words = m[1]!.split(/\s+/).map((w) => w.replace(/^\[|\]$/g, ''));
      examples.push({ where: where(i), words: words.filter((w) => w !== '' && w !== '|'), full: false });
    }
  }
  return examples;
}

function examplesOfCiFile(file: string): Example[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line, i) =>
      line.trimStart().startsWith('#')
        ? []
        : commandsIn(line).map((words) => ({ where: `${relative(root, file)}:${i + 1}`, words, full: true })),
    );
}

const docs = join(root, 'docs');
const markdown = [
  join(root, 'README.md'),
  ...readdirSync(docs)
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(docs, f)),
];
const examples = [
  ...markdown.flatMap((f) => examplesOfMarkdown(f)),
  ...readdirSync(join(docs, 'ci')).flatMap((f) => examplesOfCiFile(join(docs, 'ci', f))),
];

/** Why commander refuses the example, or undefined when it takes it. */
function refusal(example: Example): string | undefined {
  const program = buildProgram();
  const [name, ...args] = example.words;
  if (name === undefined || name.startsWith('-')) return undefined; // `paymatrix --help`
  const command = program.commands.find((c) => c.name() === name || c.aliases().includes(name));
  // A synopsis quoted in prose may be a phrase (`paymatrix compatibility matrix`, a report title);
  // one with options is a command line.
  if (!command)
    return example.full || args.some((w) => w.startsWith('-')) ? `no command "${name}"` : undefined;
  quiet(command);
  try {
    const { operands, unknown } = command.parseOptions(args);
    const stray = unknown.find((w) => w.startsWith('-'));
    if (stray) return `paymatrix ${name} has no option ${stray}`;
    const required = command.registeredArguments.filter((a) => a.required).length;
    if (example.full && operands.length + unknown.length < required)
      return `paymatrix ${name} needs ${required} argument(s), the example gives ${operands.length}`;
  } catch (err) {
    // The example's workspace (`-w ./ws`) is the reader's folder, not one in this repository.
    if (err instanceof CommanderError && err.message.endsWith('is invalid. no such folder')) return undefined;
    if (err instanceof CommanderError) return err.message;
    throw err;
  }
  return undefined;
}

function quiet(command: Command): void {
  command.configureOutput({ writeErr: () => {}, writeOut: () => {}, outputError: () => {} });
}

describe('command lines in the docs', () => {
  it('finds the examples (README, docs/*.md, docs/ci)', () => {
    const files = new Set(examples.map((e) => e.where.split(':')[0]));
    expect(files).toContain('README.md');
    expect(files).toContain('docs/mock.md');
    expect(files).toContain('docs/ci/github-actions.yml');
    expect(examples.filter((e) => e.full).length).toBeGreaterThan(40);
    // The README's first command: the main job.
    expect(examples.find((e) => e.where.startsWith('README.md'))?.words).toEqual(['run']);
  });

  it('are all accepted by the CLI', () => {
    const refused = examples.flatMap((e) => {
      const why = refusal(e);
      return why ? [`${e.where}: paymatrix ${e.words.join(' ')} → ${why}`] : [];
    });
    expect(refused).toEqual([]);
  });

  it('catches what drifted: an unknown option, a missing value, a wrong choice, a missing argument', () => {
    const check = (line: string) => refusal({ where: 'x', words: commandsIn(line)[0]!, full: true });
    expect(check('npx paymatrix run --firmwares corvid-*')).toMatch(/no option --firmwares/);
    expect(check('npx paymatrix run --out')).toMatch(/argument missing/);
    expect(check('npx paymatrix merge --out report')).toMatch(/needs 1 argument/);
    expect(check('npx paymatrix nosuch')).toMatch(/no command "nosuch"/);
    expect(check('npx paymatrix run --shard 2/4 --out shard-2')).toBeUndefined();
  });
});

describe('the docs and the CLI agree', () => {
  it('every option of every command is documented (README or docs/*.md)', () => {
    const text = markdown.map((f) => readFileSync(f, 'utf8')).join('\n');
    const undocumented = buildProgram().commands.flatMap((c) =>
      c.options.filter((o) => o.long && !text.includes(o.long)).map((o) => `paymatrix ${c.name()} ${o.long}`),
    );
    expect(undocumented).toEqual([]);
  });
});
