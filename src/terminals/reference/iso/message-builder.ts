import { Buffer } from 'node:buffer';
import { pinBlockIso0 } from '../../../mocks/iso-host/pin-block.js';
import {
  type Dialect,
  desEncryptBlock,
  type FieldValue,
  type IsoMessage,
  macFieldOf,
  type Subfields,
  signMessage,
  tdesEncryptEcb,
  verifyMessageMac,
} from '../../../protocols/iso8583/index.js';
import type { EntryMode } from '../../terminal.js';
import type { Defect } from '../defects.js';
import type { FieldTemplateValue, ResolvedIsoProfile, ResolvedMessage } from '../profile-loader.js';
import type { MessageName } from '../profile-schema.js';
import { TerminalFault } from '../terminal-fault.js';
import { type Lookup, renderTemplate } from './template.js';
import { lookupFor, type MessageInputs } from './variables.js';

/** ISO 8583:1987 DE22 positions 1-2, which the legacy-de22 defect sends whatever the dialect. */
const LEGACY_ENTRY: Record<EntryMode, string> = {
  chip: '05',
  magstripe: '02',
  contactless: '07',
  manual: '01',
};

/**
 * Turns the profile's message templates into messages: variables filled in, fields without a value
 * left out, the build's defects applied, and the MAC (with the key the terminal holds) added last.
 * Which elements a message carries is entirely the profile's; nothing here knows a dialect.
 */
export class IsoMessageBuilder {
  readonly trackSeparator: string;

  constructor(
    readonly dialect: Dialect,
    private readonly profile: ResolvedIsoProfile,
    private readonly defects: ReadonlySet<Defect>,
  ) {
    // Track 2 in BCD writes the separator as the nibble D; text writes '='.
    this.trackSeparator = dialect.field(35)?.enc.startsWith('bcd') ? 'D' : '=';
  }

  template(name: MessageName): ResolvedMessage {
    const m = this.profile.messages[name];
    if (!m) throw new TerminalFault('no-template', `the profile has no "${name}" message`);
    return m;
  }

  has(name: MessageName): boolean {
    return this.profile.messages[name] !== undefined;
  }

  /** The unsigned message `name` for these inputs. */
  build(
    name: MessageName,
    inputs: Omit<MessageInputs, 'trackSeparator' | 'entryModes' | 'pinEntry'>,
  ): IsoMessage {
    const template = this.template(name);
    const lookup = lookupFor({
      ...inputs,
      trackSeparator: this.trackSeparator,
      entryModes: this.profile.entryModes,
      pinEntry: this.profile.pinEntry,
    });
    const fields: Record<string, FieldValue> = {};
    const ids = Object.keys(template.fields).sort((a, b) => Number(a) - Number(b));
    for (const id of ids) {
      let value: FieldValue | undefined;
      try {
        value = renderField(template.fields[id]!, lookup);
      } catch (err) {
        throw new TerminalFault('template', `${name} DE${id}: ${(err as Error).message}`);
      }
      if (value !== undefined) fields[id] = value;
    }
    const card = inputs.card;
    if (this.defects.has('legacy-de22') && fields['22'] !== undefined && card)
      fields['22'] = LEGACY_ENTRY[card.entryMode] + (card.pin !== undefined ? '1' : '2');
    if (this.defects.has('no-de55')) delete fields['55'];
    return { mti: template.mti, fields };
  }

  /** Whether this build MACs messages of this MTI. */
  macs(mti: string): boolean {
    const mac = this.profile.mac;
    return !!mac && !this.defects.has('no-mac') && mac.messages.includes(mti);
  }

  /** The message with its MAC when the build MACs it; the key comes from the terminal's keys. */
  sign(msg: IsoMessage, keys: Record<string, string>): IsoMessage {
    const mac = this.profile.mac;
    if (!mac || !this.macs(msg.mti)) return msg;
    const key = keys[mac.key];
    if (!key)
      throw new TerminalFault(
        'no-key',
        `no ${mac.key} key to MAC ${msg.mti} with (configure keys or sign on)`,
      );
    return signMessage(this.dialect, msg, Buffer.from(key, 'hex'), mac.algorithm, mac.field);
  }

  /** true/false when the answer carries a MAC the build checks; undefined when there is none to check. */
  verify(response: IsoMessage, body: Buffer, keys: Record<string, string>): boolean | undefined {
    const mac = this.profile.mac;
    if (!mac?.verifyResponses || this.defects.has('no-mac')) return undefined;
    const field = String(macFieldOf(this.dialect, response, mac.field));
    if (response.fields[field] === undefined) return undefined;
    const key = keys[mac.key];
    if (!key) return false;
    try {
      return verifyMessageMac(this.dialect, body, Buffer.from(key, 'hex'), mac.algorithm, mac.field);
    } catch {
      return false;
    }
  }

  /** ISO 9564 format 0 PIN block, encrypted under the profile's PIN key (DES or 3DES by key length). */
  pinBlock(pin: string, pan: string, keys: Record<string, string>): string {
    const role = this.profile.pin?.key;
    if (!role) throw new TerminalFault('no-pin', 'a PIN was entered but the profile sets no iso.pin');
    const hex = keys[role];
    if (!hex) throw new TerminalFault('no-key', `no ${role} key to encrypt the PIN block with`);
    const key = Buffer.from(hex, 'hex');
    const clear = pinBlockIso0(pin, pan);
    const block = key.length === 8 ? desEncryptBlock(key, clear) : tdesEncryptEcb(key, clear);
    return block.toString('hex').toUpperCase();
  }
}

function renderField(template: FieldTemplateValue, lookup: Lookup): FieldValue | undefined {
  if (typeof template === 'string') return renderTemplate(template, lookup);
  if ('when' in template) {
    const t = template as { value: string | Record<string, string>; when: string | string[] };
    const names = typeof t.when === 'string' ? [t.when] : t.when;
    if (!names.some((n) => lookup(n) !== undefined)) return undefined;
    return renderField(t.value, lookup);
  }
  // Positional subfields: all of them or none (their positions are fixed).
  const out: Subfields = {};
  for (const [sub, text] of Object.entries(template as Record<string, string>)) {
    const v = renderTemplate(text, lookup);
    if (v === undefined) return undefined;
    out[sub] = v;
  }
  return out;
}
