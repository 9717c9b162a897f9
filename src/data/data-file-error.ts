/** One problem at one place in a data file. */
export interface DataFileProblem {
  /** JSON-pointer-like path inside the file, e.g. `/fields/60/subfields/kind`; '' = the whole file. */
  path: string;
  problem: string;
}

/**
 * A data file (dialect, host, firmware build, scenario …) that cannot be used. It always names the
 * file, the JSON path inside it and the problem, so a user can fix it without reading our code.
 * `path` and `problem` are the first problem; a schema check that found several in the file lists
 * the others in `more`, and the message has one line per problem.
 */
export class DataFileError extends Error {
  override readonly name = 'DataFileError';
  constructor(
    readonly file: string,
    readonly path: string,
    readonly problem: string,
    readonly more: readonly DataFileProblem[] = [],
  ) {
    super([{ path, problem }, ...more].map((p) => line(file, p)).join('\n'));
  }

  /** Every problem, the first included. */
  get problems(): DataFileProblem[] {
    return [{ path: this.path, problem: this.problem }, ...this.more];
  }

  /** The same problems, named in another file (a mirror's link resolved to the real file). */
  inFile(file: string): DataFileError {
    return new DataFileError(file, this.path, this.problem, this.more);
  }
}

function line(file: string, { path, problem }: DataFileProblem): string {
  return `${file}${path ? ` at ${path}` : ''}: ${problem}`;
}
