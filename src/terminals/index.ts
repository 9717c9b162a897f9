// Public API of the terminal drivers: load builds, make a terminal of one, play transactions.
export { createTerminal, DRIVERS, prepareTerminal } from './drivers.js';
export {
  builtinFirmwareDir,
  type FirmwareBuild,
  type FirmwareRegistry,
  loadFirmware,
  workspaceFirmware,
} from './firmware-loader.js';
export { processDriver } from './process/process-driver.js';
export { referenceDriver } from './reference/reference-driver.js';
export {
  CAPABILITIES,
  type Capability,
  type CardInput,
  type DriverOptions,
  type EntryMode,
  type HostEndpoint,
  type OutcomeStatus,
  type Terminal,
  type TerminalConfig,
  type TerminalDriver,
  type TerminalEvent,
  type TerminalEventKind,
  type TerminalIdentity,
  type TerminalMessage,
  TRANSACTION_TYPES,
  type TransactionOutcome,
  type TransactionReference,
  type TransactionRequest,
  type TransactionType,
} from './terminal.js';
