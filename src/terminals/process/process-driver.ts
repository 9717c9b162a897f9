import { dirname, resolve } from 'node:path';
import { type Dialect, workspaceDialects } from '../../protocols/iso8583/index.js';
import type { FirmwareBuild } from '../firmware-loader.js';
import type { DriverOptions, Terminal, TerminalDriver } from '../terminal.js';
import { OutputMasker } from './output-masker.js';
import { DEFAULT_PROCESS_TIMEOUTS, type ProcessTimeouts } from './process-schema.js';
import { ProcessTerminal } from './process-terminal.js';

/**
 * `driver: process`: the build is an external emulator program (its `process:` section says how to
 * start it) driven over paymatrix-control/1 (docs/control-protocol.md). create() starts it and
 * checks its identity; the terminal it returns must be closed, which stops the process.
 */
export const processDriver: TerminalDriver = {
  name: 'process',
  async create(build: FirmwareBuild, options: DriverOptions = {}): Promise<Terminal> {
    const spec = build.process;
    if (build.driver !== 'process' || !spec)
      throw new Error(`${build.file}: build ${build.id} is not played by the process driver`);
    const timeouts: ProcessTimeouts = {
      ...DEFAULT_PROCESS_TIMEOUTS,
      ...(options.timeoutMs !== undefined && { transactionMs: options.timeoutMs }),
      ...spec.timeouts,
    };
    const terminal = new ProcessTerminal({
      build,
      spec,
      cwd: resolve(dirname(build.file), spec.cwd ?? '.'),
      timeouts,
      masker: new OutputMasker(dialectOf(build, options)),
    });
    await terminal.start();
    return terminal;
  },
};

/** The build's dialect, to mask what the emulator reports the way the host journal does. */
function dialectOf(build: FirmwareBuild, options: DriverOptions): Dialect | undefined {
  if (build.protocol.family !== 'iso8583') return undefined;
  try {
    // The caller's registry when it has one: compiling every dialect again per terminal costs ms.
    return (options.dialects ?? workspaceDialects(options.workspace)).get(build.protocol.dialect);
  } catch {
    return undefined; // an unknown dialect fails elsewhere; masking falls back to the standard elements
  }
}
