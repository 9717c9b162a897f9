/**
 * A data file (dialect, host, firmware build, scenario …) that cannot be used. It always names the
 * file, the JSON path inside it and the problem, so a user can fix it without reading our code.
 */
export class DataFileError extends Error {
  override readonly name = 'DataFileError';
  constructor(
    readonly file: string,
    /** JSON-pointer-like path inside the file, e.g. `/fields/60/subfields/kind`; '' = the whole file. */
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${file}${path ? ` at ${path}` : ''}: ${problem}`);
  }
}
