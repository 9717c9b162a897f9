import { closestWord } from '../../data/closest-word.js';
import { FaultSpecError } from '../faults/errors.js';
import type { FaultScopeSpec } from '../faults/types.js';
import type { GatewayVersion } from './gateway-version.js';

/**
 * A gateway's check of a fault's scope: an operation (operationId or lifecycle action) or a method
 * it does not serve would match nothing, so the fault would never fire — refused, naming what is
 * served and the likely intent (`authorise` → `authorize`).
 */
export function gatewayScopeCheck(version: GatewayVersion): (scope: FaultScopeSpec, path: string) => void {
  const ops = version.apis.flatMap((a) => a.operations);
  const operations = [...new Set(ops.flatMap((o) => [o.operationId, ...(o.action ? [o.action] : [])]))];
  const methods = [...new Set(ops.map((o) => o.method.toUpperCase()))];
  return (scope, path) => {
    scope.operation?.forEach((name, i) => {
      if (operations.includes(name)) return;
      throw unknown(`${path}.operation[${i}]`, 'operation', name, operations);
    });
    scope.method?.forEach((name, i) => {
      if (methods.includes(name.toUpperCase())) return;
      throw unknown(`${path}.method[${i}]`, 'method', name, methods);
    });
  };
}

function unknown(path: string, what: string, name: string, served: string[]): FaultSpecError {
  const meant = closestWord(name, served);
  return new FaultSpecError(
    'invalid-scope',
    path,
    `this gateway serves no ${what} "${name}"${meant ? ` (did you mean "${meant}"?)` : ''}; it serves ${served.join(', ')}`,
  );
}
