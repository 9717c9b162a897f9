import type { Exchange, RecordedMessage } from '../../mocks/exchange.js';
import type { EffectiveRule, HostVersion } from '../../mocks/hosts/host-loader.js';
import type { MessageKind } from '../../mocks/hosts/host-schema.js';
import { type FieldValue, getField, type IsoMessage } from '../../protocols/iso8583/index.js';
import type { ApiVersion } from '../../protocols/rest/api-loader.js';
import type { HostInstanceName } from '../scenario.js';
import { type FieldKey, readPointer } from './field-key.js';

/**
 * One exchange a host instance of the cell recorded, as expectations and invariants see it: in
 * arrival order across the primary and backup, with the host version's reading of the request
 * (its rule and message kind), the step it arrived during, and a label for reasons.
 */
export interface HostMessage {
  /** Position in arrival order over every host instance of the cell. */
  index: number;
  exchange: Exchange;
  instance: HostInstanceName;
  /** Position (among the transaction steps) of the step running when it arrived. */
  step?: number;
  /** The host version's rule for the request; undefined for REST or a message it does not know. */
  rule?: EffectiveRule;
  kind?: MessageKind;
  /** REST: the API version that served the request (its words read the answer). */
  api?: ApiVersion;
  /** REST: the payment an authorization's answer named. */
  paymentId?: string;
  request?: MessageView;
  response?: MessageView;
  /** The host's answer left the host (a fault may have swallowed it). */
  responseSent: boolean;
  /**
   * The host's logic never saw the request (no-response with lost: request, a host that is down,
   * or a request that waited behind a slow one on a connection that closed first): kept as
   * evidence, but not something the host received.
   */
  lost: boolean;
  /** `0200 sale 25.00 STAN 000001 (exchange 3)`. */
  label: string;
}

export interface MessageView {
  iso?: IsoMessage;
  http?: RecordedMessage['http'];
}

export interface ObservedJournal {
  instance: HostInstanceName;
  exchanges: readonly Exchange[];
}

/** The cell's journals as host messages, ordered by arrival (primary first on a tie). */
export function hostMessages(
  journals: readonly ObservedJournal[],
  version: HostVersion | undefined,
  stepOf: (exchange: Exchange, instance: HostInstanceName) => number | undefined = () => undefined,
): HostMessage[] {
  const all = journals.flatMap((j, order) => j.exchanges.map((exchange) => ({ exchange, j, order })));
  all.sort(
    (a, b) =>
      a.exchange.at.localeCompare(b.exchange.at) || a.order - b.order || a.exchange.seq - b.exchange.seq,
  );
  return all.map(({ exchange, j }, index) => {
    const request = view(exchange.request);
    const rule = request?.iso && version ? version.ruleFor(request.iso) : undefined;
    const step = stepOf(exchange, j.instance);
    const where = `exchange ${exchange.seq}${j.instance === 'backup' ? ' on the backup host' : ''}`;
    const what =
      exchange.request?.summary ??
      `${exchange.event?.kind ?? 'event'} ${exchange.event?.detail ?? ''}`.trim();
    return {
      index,
      exchange,
      instance: j.instance,
      ...(step !== undefined && { step }),
      ...(rule && { rule, kind: rule.kind }),
      ...(request && { request }),
      ...(exchange.response && { response: view(exchange.response) }),
      responseSent: exchange.response !== undefined && exchange.durationMs !== undefined,
      lost: exchange.event?.kind === 'lost',
      label: `${what} (${where})`,
    };
  });
}

function view(message: RecordedMessage | undefined): MessageView | undefined {
  if (!message) return undefined;
  const iso = message.iso;
  return {
    ...(iso && { iso: { mti: iso.mti, fields: iso.fields as Record<string, FieldValue> } }),
    ...(message.http && { http: message.http }),
  };
}

/** The label without where it was recorded: `0200 sale 25.00 STAN 000001`. */
export function summaryOf(msg: HostMessage): string {
  return msg.exchange.request?.summary ?? msg.label;
}

export interface FieldRead {
  value: unknown;
  /** What reasons call it: `DE90.2`, `stan (DE11)`, `original.11 (DE56.2)`. */
  where: string;
  /** Set when the key cannot apply to this message (a JSON pointer on ISO, no original-data rule). */
  problem?: string;
}

/** A value of the request (or response) of a host message. */
export function readField(
  msg: HostMessage,
  side: 'request' | 'response',
  key: FieldKey,
  version: HostVersion | undefined,
): FieldRead {
  const m = side === 'request' ? msg.request : msg.response;
  const prefix = side === 'response' ? 'response ' : '';
  if (key.kind === 'pointer') {
    if (!m?.http) return { value: undefined, where: prefix + key.label, problem: 'not a REST message' };
    return { value: readPointer(m.http.body, key.pointer), where: prefix + key.label };
  }
  if (m?.http && key.kind === 'iso' && key.alias !== undefined) return readRestAlias(msg, side, key.alias);
  const iso = m?.iso;
  if (!iso)
    return {
      value: undefined,
      where: prefix + key.label,
      problem: m ? 'not an ISO 8583 message' : undefined,
    };
  switch (key.kind) {
    case 'mti':
      return { value: iso.mti, where: prefix + key.label };
    case 'mac': {
      const field = iso.fields['64'] !== undefined ? '64' : '128';
      return { value: iso.fields[field], where: `${prefix}MAC (DE${field})` };
    }
    case 'iso':
      return { value: getField(iso, key.path), where: prefix + key.label };
    case 'original': {
      const path = originalPath(msg, key.of, version);
      if (!path) {
        return {
          value: undefined,
          where: prefix + key.label,
          problem: `${version?.ref ?? 'the host'} has no original-data rule for ${iso.mti}`,
        };
      }
      return { value: getField(iso, path), where: `${prefix}${key.label} (DE${path})` };
    }
  }
}

/** The aliases a REST request has, by where its API version's operation keeps them. */
const REST_ALIASES = ['amount', 'currency', 'pan'] as const;

/** `amount`, `currency` or `pan` of a REST request, at its operation's pointer. */
function readRestAlias(msg: HostMessage, side: 'request' | 'response', alias: string): FieldRead {
  const http = (side === 'request' ? msg.request : msg.response)!.http!;
  const op = msg.api?.operations.find((o) => o.operationId === msg.request?.http?.operation);
  const name = REST_ALIASES.find((a) => a === alias);
  const pointer = side === 'request' && name ? op?.request[name] : undefined;
  if (pointer === undefined) {
    const what = side === 'response' ? 'a REST answer' : `${op?.operationId ?? 'this request'}`;
    return {
      value: undefined,
      where: `${side === 'response' ? 'response ' : ''}${alias}`,
      problem: `${what} has no ${alias} (REST reads amount, currency and pan of a request; else use a JSON pointer)`,
    };
  }
  return { value: readPointer(http.body, pointer), where: `${alias} (${pointer})` };
}

/** This message's element → the original's element or `mti`, by the rule, else the version's default. */
export function originalMap(
  msg: HostMessage,
  version: HostVersion | undefined,
): Record<string, string> | undefined {
  return msg.rule?.originalMatch ?? version?.spec.originalData?.match;
}

/** The element of this message that carries the original's `of` (e.g. '11' → '90.2'). */
function originalPath(msg: HostMessage, of: string, version: HostVersion | undefined): string | undefined {
  const map = originalMap(msg, version);
  if (!map) return undefined;
  return Object.entries(map).find(([, theirs]) => String(theirs) === of)?.[0];
}
