import { statSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';

/**
 * `-w, --workspace <dir>`: a folder that exists. A mistyped path must not quietly leave the run,
 * the validation or the listing to the built-in catalogue alone.
 */
export function workspaceArg(value: string): string {
  let folder: boolean;
  try {
    folder = statSync(value).isDirectory();
  } catch {
    throw new InvalidArgumentError('no such folder');
  }
  if (!folder) throw new InvalidArgumentError('not a folder');
  return value;
}
