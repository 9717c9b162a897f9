// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${name} is the profile template syntax, not JavaScript.
import type { FieldValue, IsoMessage, TlvItem } from '../../../protocols/iso8583/index.js';
import type { CardInput, EntryMode } from '../../terminal.js';
import type { BatchTotals, TxRecord } from './iso-state.js';
import type { Lookup } from './template.js';

/**
 * The variables a field template can use, what each holds, and how they are looked up for one
 * message. A variable without a value (no card, no PIN, no original) leaves its field out.
 * docs/firmware.md lists them; the profile loader refuses any other name.
 */
export const VARIABLES: Readonly<Record<string, string>> = {
  stan: "this message's STAN, 6 digits (taken when first used)",
  amount: 'amount of the transaction, minor units',
  currency: 'ISO 4217 numeric currency',
  terminalId: 'DE41 terminal id',
  merchantId: 'DE42 merchant id',
  batch: 'current batch number (use ${batch:6})',
  transmissionDateTime: 'MMDDhhmmss, UTC',
  localDateTime: 'YYMMDDhhmmss',
  localDate: 'MMDD',
  localTime: 'hhmmss',
  date: 'YYMMDD',
  pan: 'card number (any entry mode)',
  expiry: 'card expiry YYMM',
  serviceCode: 'card service code',
  track2: 'track 2 (equivalent): PAN, separator, expiry, service code; not for manual entry',
  cardSequence: 'card sequence number, chip and contactless only',
  icc: 'EMV ICC data (DE55 TLV list), chip and contactless only',
  pinBlock: 'ISO 9564 format 0 PIN block under the PIN key, when a PIN was entered',
  chip: 'set for chip cards',
  magstripe: 'set for swiped cards',
  contactless: 'set for contactless cards',
  manual: 'set for key-entered cards',
  pin: 'set when a PIN was entered',
  entryMode: 'iso.entryModes entry for the card',
  pinEntry: 'iso.pinEntry entry (entered / none)',
  authCode: 'authorization code of an advice (the original one, or the offline approval)',
  reason: 'iso.reasonCodes entry for why a reversal is sent',
};

/** Of an earlier transaction: `original.*` (void, completion, refund, reversal), `record.*` (batch upload). */
export const RECORD_VARIABLES: Readonly<Record<string, string>> = {
  mti: 'its MTI',
  stan: 'its STAN',
  amount: 'its amount, minor units',
  rrn: 'DE37 of its answer',
  authCode: 'DE38 of its answer',
  hostDate: 'DE13 of its answer (the host date)',
  batch: 'its batch number',
  pan: 'its card number',
  'de<N>': 'DE N as it was sent',
};

export const TOTALS_VARIABLES: Readonly<Record<string, string>> = {
  debitCount: 'debits in the batch',
  debitAmount: 'their sum, minor units',
  creditCount: 'credits (refunds) in the batch',
  creditAmount: 'their sum',
  count: 'transactions in the batch',
};

/** Whether a profile may name this variable. */
export function isKnownVariable(name: string): boolean {
  if (name in VARIABLES) return true;
  const [head, ...rest] = name.split('.');
  const tail = rest.join('.');
  if (head === 'totals') return tail in TOTALS_VARIABLES;
  if (head === 'original' || head === 'record')
    return tail in RECORD_VARIABLES || /^de[0-9]{1,3}$/.test(tail);
  return false;
}

export function knownVariableNames(): string[] {
  return [
    ...Object.keys(VARIABLES),
    ...Object.keys(RECORD_VARIABLES).map((k) => `original.${k}`),
    ...Object.keys(RECORD_VARIABLES).map((k) => `record.${k}`),
    ...Object.keys(TOTALS_VARIABLES).map((k) => `totals.${k}`),
  ];
}

/** Everything a message's variables come from. */
export interface MessageInputs {
  now: Date;
  terminalId: string;
  merchantId: string;
  currency?: string;
  batch: number;
  stan: () => string;
  amount?: number;
  card?: CardInput;
  /** Computes the encrypted PIN block (needs the PIN key), when a PIN was entered. */
  pinBlock?: () => string;
  /** '=' for text track 2, 'D' for BCD (the dialect's DE35 encoding decides). */
  trackSeparator: string;
  entryModes?: Partial<Record<EntryMode, string>>;
  pinEntry?: { entered?: string; none?: string };
  authCode?: string;
  reason?: string;
  original?: TxRecord;
  record?: TxRecord;
  totals?: BatchTotals;
}

const p2 = (n: number) => String(n).padStart(2, '0');

export function lookupFor(inputs: MessageInputs): Lookup {
  const t = inputs.now;
  const yy = p2(t.getUTCFullYear() % 100);
  const mmdd = p2(t.getUTCMonth() + 1) + p2(t.getUTCDate());
  const hhmmss = p2(t.getUTCHours()) + p2(t.getUTCMinutes()) + p2(t.getUTCSeconds());
  const card = inputs.card;
  const chipLike = card?.entryMode === 'chip' || card?.entryMode === 'contactless';
  const flag = (on: boolean | undefined) => (on ? '1' : undefined);
  let icc: TlvItem[] | undefined;
  return (name) => {
    switch (name) {
      case 'stan':
        return inputs.stan();
      case 'amount':
        return inputs.amount === undefined ? undefined : String(inputs.amount);
      case 'currency':
        return inputs.currency;
      case 'terminalId':
        return inputs.terminalId;
      case 'merchantId':
        return inputs.merchantId;
      case 'batch':
        return String(inputs.batch);
      case 'transmissionDateTime':
        return mmdd + hhmmss;
      case 'localDateTime':
        return yy + mmdd + hhmmss;
      case 'localDate':
        return mmdd;
      case 'localTime':
        return hhmmss;
      case 'date':
        return yy + mmdd;
      case 'pan':
        return card?.pan;
      case 'expiry':
        return card?.expiry;
      case 'serviceCode':
        return card?.serviceCode;
      case 'track2':
        if (!card || card.entryMode === 'manual') return undefined;
        return `${card.pan}${inputs.trackSeparator}${card.expiry}${card.serviceCode ?? '000'}0000000000`.slice(
          0,
          37,
        );
      case 'cardSequence':
        return chipLike ? '001' : undefined;
      case 'icc':
        if (!chipLike) return undefined;
        icc ??= iccData(inputs.amount ?? 0, inputs.currency ?? '000', yy + mmdd);
        return icc;
      case 'pinBlock':
        return card?.pin !== undefined && inputs.pinBlock ? inputs.pinBlock() : undefined;
      case 'chip':
      case 'magstripe':
      case 'contactless':
      case 'manual':
        return flag(card?.entryMode === name);
      case 'pin':
        return flag(card?.pin !== undefined);
      case 'entryMode':
        return card ? inputs.entryModes?.[card.entryMode] : undefined;
      case 'pinEntry':
        return card?.pin !== undefined ? inputs.pinEntry?.entered : inputs.pinEntry?.none;
      case 'authCode':
        return inputs.authCode;
      case 'reason':
        return inputs.reason;
    }
    const [head, tail] = [name.slice(0, name.indexOf('.')), name.slice(name.indexOf('.') + 1)];
    if (head === 'totals') {
      const v = inputs.totals?.[tail as keyof BatchTotals];
      return v === undefined ? undefined : String(v);
    }
    if (head === 'original') return recordValue(inputs.original, tail);
    if (head === 'record') return recordValue(inputs.record, tail);
    return undefined;
  };
}

function recordValue(r: TxRecord | undefined, name: string): FieldValue | undefined {
  if (!r) return undefined;
  const text = (m: IsoMessage | undefined, id: string) => {
    const v = m?.fields[id];
    return typeof v === 'string' ? v : undefined;
  };
  switch (name) {
    case 'mti':
      return r.request.mti || undefined;
    case 'stan':
      return text(r.request, '11');
    case 'amount':
      return String(r.amount);
    case 'rrn':
      return text(r.response, '37');
    case 'authCode':
      return text(r.response, '38') ?? text(r.request, '38');
    case 'hostDate':
      return text(r.response, '13');
    case 'batch':
      return String(r.batch);
    case 'pan':
      return r.card?.pan;
  }
  const m = /^de([0-9]{1,3})$/.exec(name);
  return m ? r.request.fields[m[1]!] : undefined;
}

/**
 * A plausible fixed set of EMV tags for an online chip transaction: cryptogram, its inputs and the
 * terminal's data. Fixed values except amount, currency and date; no card data in clear (no 57/5A).
 */
function iccData(amount: number, currency: string, yymmdd: string): TlvItem[] {
  return [
    { tag: '82', value: '7C00' },
    { tag: '95', value: '0000008000' },
    { tag: '9A', value: yymmdd },
    { tag: '9C', value: '00' },
    { tag: '5F2A', value: currency.padStart(4, '0') },
    { tag: '9F02', value: String(amount).padStart(12, '0') },
    { tag: '9F03', value: '000000000000' },
    { tag: '9F10', value: '07011703A00000010A010000050000' },
    { tag: '9F1A', value: currency.padStart(4, '0') },
    { tag: '9F26', value: '46FD62985CAAE758' },
    { tag: '9F27', value: '80' },
    { tag: '9F33', value: 'E0F8C8' },
    { tag: '9F34', value: '420300' },
    { tag: '9F36', value: '0C66' },
    { tag: '9F37', value: '9536C9B8' },
  ];
}
