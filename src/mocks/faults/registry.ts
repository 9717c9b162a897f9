import type { TObject } from '@sinclair/typebox';
import type { HttpFault } from './http/types.js';
import type { IsoFault } from './iso-types.js';
import type { FaultDefinition } from './types.js';

// Definitions are stored with their params type erased; hooks are declared as methods, so a
// FaultDefinition<TObject<{ delayMs }>> is assignable here.
export type AnyFaultDefinition = FaultDefinition<TObject>;

const faults = new Map<string, AnyFaultDefinition>();

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const EXCHANGE_HOOKS = ['losesRequest', 'message', 'mac', 'bytes', 'delay', 'takeover', 'deliver'] as const;
const HTTP_EXCHANGE_HOOKS = ['losesRequest', 'answer', 'body', 'delay', 'takeover', 'deliver'] as const;

/** Adds a fault; its name must be new. Called once per built-in by index.ts, and by users for their own. */
export function registerFault<S extends TObject>(def: FaultDefinition<S>): void {
  const where = `registerFault(${JSON.stringify(def.name)})`;
  if (!NAME.test(def.name)) throw new TypeError(`${where}: the name must be kebab-case`);
  if (faults.has(def.name)) throw new TypeError(`${where}: a fault with this name is already registered`);
  if (!def.description.trim()) throw new TypeError(`${where}: a description is required`);
  if (def.params.type !== 'object') throw new TypeError(`${where}: params must be an object schema`);
  if (!def.iso && !def.http) {
    throw new TypeError(`${where}: at least one transport implementation (iso, http) is required`);
  }
  if (def.iso) checkHooks(where, 'iso', def.iso as IsoFault<unknown>, EXCHANGE_HOOKS);
  if (def.http) checkHooks(where, 'http', def.http as HttpFault<unknown>, HTTP_EXCHANGE_HOOKS);
  faults.set(def.name, def as unknown as AnyFaultDefinition);
}

// A connection-level fault acts before any message exists: mixing levels would make its scope ambiguous.
function checkHooks(where: string, transport: string, impl: object, exchangeHooks: readonly string[]): void {
  const has = (h: string) => (impl as Record<string, unknown>)[h] !== undefined;
  const hooks = exchangeHooks.filter(has);
  const connection = has('accept') || has('closesListener');
  if (connection && hooks.length > 0) {
    throw new TypeError(`${where}: a connection-level fault (accept) cannot also have ${hooks.join(', ')}`);
  }
  if (!connection && hooks.length === 0) {
    throw new TypeError(`${where}: the ${transport} implementation has no hook`);
  }
}

export function getFault(name: string): AnyFaultDefinition | undefined {
  return faults.get(name);
}

/** Every registered fault, sorted by name. */
export function listFaults(): AnyFaultDefinition[] {
  return [...faults.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** True when the fault acts on connections (accept time), not on messages, in any transport. */
export function isConnectionFault(def: AnyFaultDefinition): boolean {
  return (
    def.iso?.accept !== undefined ||
    def.iso?.closesListener !== undefined ||
    def.http?.accept !== undefined ||
    def.http?.closesListener !== undefined
  );
}

/** The transports a fault has an implementation for, as Exchange.transport names them. */
export function faultTransports(def: AnyFaultDefinition): Array<'iso8583' | 'http'> {
  return [...(def.iso ? (['iso8583'] as const) : []), ...(def.http ? (['http'] as const) : [])];
}
