import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { builtinDialectsDir, type DialectRegistry, loadDialects } from '../protocols/iso8583/index.js';

/**
 * The built-in catalogue plus the user's workspace: a `protocols/iso8583` folder in the workspace
 * (default: the current directory) adds dialects or replaces built-in ones with the same id.
 */
export function workspaceDialects(workspace = '.'): DialectRegistry {
  const builtin = builtinDialectsDir();
  const own = resolve(workspace, 'protocols/iso8583');
  const dirs = own !== builtin && existsSync(own) ? [builtin, own] : [builtin];
  return loadDialects(dirs);
}
