import type { FaultSpec } from '../mocks/faults/index.js';
import type { HostVersion } from '../mocks/hosts/host-loader.js';
import type { MessageKind } from '../mocks/hosts/host-schema.js';
import type { HostInstanceName } from './scenario.js';
import type { ScenarioFault } from './scenario-schema.js';

/**
 * A scenario fault as one host version applies it. `scope.kind` is how a scenario scopes a fault
 * without naming MTIs (a sale is 0200 on a 1987 host and 1200 on a 1993 one): it becomes the MTIs
 * whose rule or variant has that kind, plus the variants' processing codes when every variant of
 * that kind has one. A scope is a list of MTIs × a list of codes, so kinds told apart only by
 * other fields (CUP DE60.1: sale vs completion) share their fault — docs/scenarios.md says so.
 */
export function faultForVersion(fault: ScenarioFault, version: HostVersion): FaultSpec {
  const { on: _on, scope, ...spec } = fault;
  if (!scope) return spec as FaultSpec;
  const { kind, ...rest } = scope;
  if (kind === undefined) return { ...spec, scope: rest } as FaultSpec;
  const kinds = [kind].flat() as MessageKind[];
  const mtis: string[] = [];
  const codes = new Set<string>();
  let everyVariantCoded = true;
  for (const [mti, rule] of Object.entries(version.spec.messages)) {
    const variants = Object.values(rule.variants ?? {}).filter((v) => kinds.includes((v.kind ?? rule.kind)!));
    // A message matching none of its variants takes the message's kind: no code can narrow it then.
    const whole = rule.kind !== undefined && kinds.includes(rule.kind);
    if (!whole && variants.length === 0) continue;
    mtis.push(mti);
    if (whole) everyVariantCoded = false;
    for (const v of variants) {
      if (v.processingCode === undefined) everyVariantCoded = false;
      else codes.add(v.processingCode);
    }
  }
  if (mtis.length === 0) {
    throw new Error(
      `host ${version.ref} has no message of kind ${kinds.join(' or ')} for fault ${fault.fault}`,
    );
  }
  const processingCode =
    rest.processingCode ?? (everyVariantCoded && codes.size > 0 ? [...codes] : undefined);
  return {
    ...spec,
    scope: { ...rest, mti: mtis, ...(processingCode && { processingCode }) },
  } as FaultSpec;
}

/** The scenario's start-up faults of one host instance. */
export function faultsFor(
  faults: readonly ScenarioFault[],
  instance: HostInstanceName,
  version: HostVersion,
): FaultSpec[] {
  return faults.filter((f) => (f.on ?? 'primary') === instance).map((f) => faultForVersion(f, version));
}
