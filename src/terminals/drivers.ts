import type { FirmwareBuild } from './firmware-loader.js';
import { processDriver } from './process/process-driver.js';
import { referenceDriver } from './reference/reference-driver.js';
import type { DriverOptions, Terminal, TerminalDriver } from './terminal.js';

/** The terminal drivers by the `driver:` a build file names. */
export const DRIVERS: Readonly<Record<FirmwareBuild['driver'], TerminalDriver>> = {
  reference: referenceDriver,
  process: processDriver,
};

/** A terminal for the build, from the driver it names. */
export function createTerminal(build: FirmwareBuild, options?: DriverOptions): Promise<Terminal> {
  return DRIVERS[build.driver].create(build, options);
}

/** Whatever the build's driver can do ahead of its first terminal (see TerminalDriver.prepare). */
export async function prepareTerminal(build: FirmwareBuild, options?: DriverOptions): Promise<void> {
  await DRIVERS[build.driver].prepare?.(build, options);
}
