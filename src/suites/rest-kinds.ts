import type { FaultSpec } from '../mocks/faults/index.js';
import { getFault, listFaults } from '../mocks/faults/index.js';
import type { GatewayVersion } from '../mocks/hosts/host-loader.js';
import type { MessageKind } from '../mocks/hosts/host-schema.js';
import { readAnswer } from '../protocols/rest/answer-reader.js';
import type { ApiOperation, ApiVersion } from '../protocols/rest/api-loader.js';
import type { LifecycleAction } from '../protocols/rest/api-schema.js';
import { readPointer } from '../protocols/rest/template.js';
import type { TransactionType } from '../terminals/terminal.js';
import type { HostMessage } from './matchers/host-message.js';
import type { ScenarioFault } from './scenario-schema.js';

/**
 * Message kinds on a REST gateway. A scenario says `sale` or `void`; a gateway's API version names
 * lifecycle actions (authorize, capture, cancel, refund, retrieve) behind its own operationIds and
 * paths. This is the one table between the two, used both ways: a fault scoped by kind hits the
 * actions that carry it, and a request the gateway received gets the kind its action stands for,
 * so `kind:` selectors and `scope.kind` mean the same thing on both transports.
 */

/** The actions a message of each kind may arrive as. */
const ACTIONS_OF_KIND: Partial<Record<MessageKind, readonly LifecycleAction[]>> = {
  // A sale authorizes with capture now, a pre-auth without: one operation, told apart by its body.
  sale: ['authorize'],
  'pre-auth': ['authorize'],
  authorization: ['authorize'],
  completion: ['capture'],
  // A captured payment (every REST sale) is voided, or reversed, by a refund.
  void: ['cancel', 'refund'],
  'pre-auth-void': ['cancel'],
  refund: ['refund'],
  reversal: ['cancel', 'refund'],
  echo: ['retrieve'],
};

/** Steps whose own transaction is a cancel or a refund. */
const VOIDS: ReadonlySet<TransactionType> = new Set(['void', 'refund']);

/** The kind a request of each action gets (authorize: sale or pre-auth by its capture flag). */
const KIND_OF_ACTION: Record<Exclude<LifecycleAction, 'authorize'>, MessageKind> = {
  capture: 'completion',
  cancel: 'void',
  refund: 'refund',
  retrieve: 'echo',
};

/**
 * A scenario fault as a gateway version applies it: `scope.kind` becomes `scope.operation` (the
 * lifecycle actions of that kind the version serves). Throws, naming the fault, when it cannot
 * apply to a gateway at all: no HTTP implementation, or a kind no operation carries.
 */
export function faultForGateway(fault: ScenarioFault, version: GatewayVersion): FaultSpec {
  const def = getFault(fault.fault);
  if (def && !def.http) {
    const http = listFaults()
      .filter((f) => f.http)
      .map((f) => f.name);
    throw new Error(
      `fault ${fault.fault} has no HTTP implementation: it cannot disturb gateway ${version.ref} ` +
        `(faults for gateways: ${http.join(', ')})`,
    );
  }
  const { on: _on, scope, ...spec } = fault;
  if (!scope) return spec as FaultSpec;
  const { kind, ...rest } = scope;
  if (kind === undefined) return { ...spec, scope: rest } as FaultSpec;
  const kinds = [kind].flat() as MessageKind[];
  if (rest.operation !== undefined)
    throw new Error(`fault ${fault.fault}: use scope.kind or scope.operation, not both`);
  const served = new Set(version.apis.flatMap((a) => a.operations.map((o) => o.action)));
  const actions = [...new Set(kinds.flatMap((k) => ACTIONS_OF_KIND[k] ?? []))].filter((a) => served.has(a));
  if (actions.length === 0) {
    throw new Error(
      `gateway ${version.ref} has no operation for a ${kinds.join(' or ')} message (fault ${fault.fault})`,
    );
  }
  return { ...spec, scope: { ...rest, operation: actions } } as FaultSpec;
}

/**
 * The host messages of a gateway with the kind each request stands for: authorize is a `sale`
 * when it captures now (the operation's capture mapping), else a `pre-auth`; capture `completion`,
 * cancel `void`, refund `refund`, retrieve `echo`. A reversal arrives as a cancel or a refund too:
 * one sent during a step that is no void or refund (`stepType`) reads as a `reversal`.
 */
export function withRestKinds(
  messages: HostMessage[],
  version: GatewayVersion,
  stepType: (position: number) => TransactionType | undefined = () => undefined,
): HostMessage[] {
  // The journal names the operationId only: the served versions' reading first, the default first.
  const ops = new Map<string, ApiOperation>();
  for (const api of [...version.apis, ...version.known])
    for (const o of api.operations) if (!ops.has(o.operationId)) ops.set(o.operationId, o);
  return messages.map((msg) => {
    const http = msg.request?.http;
    const api = http ? answeringApi(msg, version) : undefined;
    const op =
      http?.operation === undefined
        ? undefined
        : (api?.operations.find((o) => o.operationId === http.operation) ?? ops.get(http.operation));
    if (!op?.action) return api ? { ...msg, api } : msg;
    let kind: MessageKind;
    let paymentId: string | undefined;
    if (op.action === 'authorize') {
      const capture = op.request.capture;
      let now = capture?.default ?? true;
      const v = capture ? readPointer(http!.body, capture.pointer) : undefined;
      if (capture && v !== undefined) now = 'equals' in capture ? v === capture.equals : v === true;
      kind = now ? 'sale' : 'pre-auth';
      // The payment its answer names (sent or swallowed by a fault), read through its API version.
      const answer = msg.response?.http;
      if (api && answer) paymentId = readAnswer(api, op, answer.status ?? 0, answer.body).paymentId;
    } else {
      kind = KIND_OF_ACTION[op.action];
      // A cancel or refund the terminal sends during a step that is no void or refund reverses an
      // earlier payment whose outcome it never learnt: the REST reversal.
      const during = msg.step === undefined ? undefined : stepType(msg.step);
      if ((kind === 'void' || kind === 'refund') && during !== undefined && !VOIDS.has(during))
        kind = 'reversal';
    }
    return { ...msg, kind, ...(api && { api }), ...(paymentId !== undefined && { paymentId }) };
  });
}

/**
 * The API version a request was served by, as the gateway chose it: the version in the path, or the
 * version header of the answer (else of the request), else the account default.
 */
function answeringApi(msg: HostMessage, version: GatewayVersion): ApiVersion | undefined {
  const http = msg.request!.http!;
  const path = http.path ?? '';
  const header = version.api.versionHeader?.toLowerCase();
  if (header === undefined) {
    return version.known.find(
      (a) => a.prefix !== '' && (path === a.prefix || path.startsWith(`${a.prefix}/`)),
    );
  }
  const named = msg.response?.http?.headers?.[header] ?? http.headers?.[header];
  return named === undefined ? version.api : version.known.find((a) => a.version === named.trim());
}
