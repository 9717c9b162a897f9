import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DataFileError } from '../../data/data-file-error.js';
import { loadDataFile } from '../../data/load-data-file.js';
import { packageRoot } from '../../data/package-root.js';
import { type CardFile, CardFileSchema, type CardSpec, type Trigger } from './card-schema.js';
import type { MessageKind } from './host-schema.js';

/** mocks/cards.yaml at the package root. */
export function builtinCardsFile(): string {
  return resolve(packageRoot(), 'mocks/cards.yaml');
}

export interface TestCard extends CardSpec {
  readonly id: string;
}

export interface CardBook {
  readonly file: string;
  readonly checks: CardFile['checks'];
  list(): TestCard[];
  get(id: string): TestCard;
  byPan(pan: string): TestCard | undefined;
  /** The first trigger of the card, then of the file, that fits this amount and message kind. */
  triggerFor(card: TestCard, amountMinor: number, kind: MessageKind): Trigger | undefined;
}

/** Loads mocks/cards.yaml: every PAN Luhn-valid and unique, every trigger with an amount condition. */
export function loadCards(file: string = builtinCardsFile()): CardBook {
  const data = loadDataFile(file, CardFileSchema);
  const checkTriggers = (triggers: Trigger[] | undefined, at: string) =>
    triggers?.forEach((t, i) => {
      if (t.amountEndsWith === undefined && t.amountMinor === undefined) {
        throw new DataFileError(file, `${at}/${i}`, 'a trigger needs amountEndsWith or amountMinor');
      }
    });
  checkTriggers(data.triggers, '/triggers');
  const byPan = new Map<string, TestCard>();
  for (const [id, spec] of Object.entries(data.cards)) {
    if (!luhnValid(spec.pan)) throw new DataFileError(file, `/cards/${id}/pan`, 'fails the Luhn check');
    const other = byPan.get(spec.pan);
    if (other) throw new DataFileError(file, `/cards/${id}/pan`, `same PAN as card ${other.id}`);
    checkTriggers(spec.triggers, `/cards/${id}/triggers`);
    byPan.set(spec.pan, { id, ...spec });
  }
  const cards = [...byPan.values()];
  // Each card's triggers then the file's, listed once: the lookup runs on every authorization.
  const triggersOf = new Map(cards.map((c) => [c, [...(c.triggers ?? []), ...data.triggers]]));
  // "Ends with 51" is "amount mod 100 is 51" (amounts are whole minor units, the suffix digits only):
  // no padded string per authorization.
  const endings = new Map<string, { mod: number; rest: number }>();
  const ending = (suffix: string) => {
    let e = endings.get(suffix);
    if (!e) {
      e = { mod: 10 ** suffix.length, rest: Number(suffix) };
      endings.set(suffix, e);
    }
    return e;
  };
  const fits = (t: Trigger, amount: number, kind: MessageKind) => {
    if (!(t.kinds ?? data.triggerKinds).includes(kind)) return false;
    if (t.amountMinor !== undefined && t.amountMinor !== amount) return false;
    if (t.amountEndsWith === undefined) return true;
    const e = ending(t.amountEndsWith);
    return amount % e.mod === e.rest;
  };
  return {
    file,
    checks: data.checks,
    list: () => [...cards],
    get(id) {
      const card = cards.find((c) => c.id === id);
      if (!card) throw new Error(`unknown test card "${id}" (known: ${cards.map((c) => c.id).join(', ')})`);
      return card;
    },
    byPan: (pan) => byPan.get(pan),
    triggerFor(card, amount, kind) {
      const triggers = triggersOf.get(card) ?? [...(card.triggers ?? []), ...data.triggers];
      for (let i = 0; i < triggers.length; i++) if (fits(triggers[i]!, amount, kind)) return triggers[i];
      return undefined;
    },
  };
}

/** The workspace's mocks/cards.yaml when it has one, else the built-in cards. */
export function workspaceCards(workspace = '.'): CardBook {
  const own = resolve(workspace, 'mocks/cards.yaml');
  return loadCards(existsSync(own) ? own : builtinCardsFile());
}

/** ISO/IEC 7812 check digit: double every second digit from the right. */
export function luhnValid(pan: string): boolean {
  if (!/^[0-9]{2,19}$/.test(pan)) return false;
  let sum = 0;
  for (let i = pan.length - 1, double = false; i >= 0; i--, double = !double) {
    let d = Number(pan[i]);
    if (double) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}
