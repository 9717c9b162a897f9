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
  // Per card and message kind, the triggers that can fire, in order, each amount condition as
  // arithmetic: "ends with 51" is "amount mod 100 is 51" (amounts are whole minor units). Built on
  // first use; the lookup runs on every authorization.
  const armed = new Map<TestCard, Map<MessageKind, ArmedTrigger[]>>();
  const triggersFor = (card: TestCard, kind: MessageKind): ArmedTrigger[] => {
    let kinds = armed.get(card);
    if (!kinds) {
      kinds = new Map();
      armed.set(card, kinds);
    }
    let list = kinds.get(kind);
    if (!list) {
      list = [...(card.triggers ?? []), ...data.triggers]
        .filter((t) => (t.kinds ?? data.triggerKinds).includes(kind))
        .map(arm);
      kinds.set(kind, list);
    }
    return list;
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
      const list = triggersFor(card, kind);
      for (let i = 0; i < list.length; i++) {
        const a = list[i]!;
        if (a.amountMinor !== undefined && a.amountMinor !== amount) continue;
        if (a.mod === 0 || amount % a.mod === a.rest) return a.trigger;
      }
      return undefined;
    },
  };
}

/** A trigger with its amount conditions ready to test: `mod` 0 when it has no `amountEndsWith`. */
interface ArmedTrigger {
  trigger: Trigger;
  amountMinor: number | undefined;
  mod: number;
  rest: number;
}

function arm(t: Trigger): ArmedTrigger {
  const ending = t.amountEndsWith;
  return {
    trigger: t,
    amountMinor: t.amountMinor,
    mod: ending === undefined ? 0 : 10 ** ending.length,
    rest: ending === undefined ? 0 : Number(ending),
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
