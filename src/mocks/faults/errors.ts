export type FaultSpecErrorCode =
  | 'invalid-spec'
  | 'unknown-fault'
  | 'unsupported-transport'
  | 'invalid-params'
  | 'invalid-scope'
  | 'duplicate-id'
  | 'unknown-id';

/**
 * A fault spec that cannot be used. The path names the spot as a user wrote it, e.g.
 * `faults[2].params.delayMs: must be >= 0`, so a scenario author fixes it without reading our code.
 */
export class FaultSpecError extends Error {
  override readonly name = 'FaultSpecError';

  constructor(
    readonly code: FaultSpecErrorCode,
    /** `faults[2].params.delayMs`; the caller chooses the root (`faults`, `fault`, `given.faults`). */
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
  }

  /** The same path as a JSON pointer (`/faults/2/params/delayMs`), for DataFileError. */
  get pointer(): string {
    const parts = this.path.match(/[^.[\]]+/g) ?? [];
    return parts.map((p) => `/${p.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
  }
}

/** Appends an ajv instancePath (`/nth/0`) to a dotted path: `faults[1].scope.nth[0]`. */
export function joinPath(base: string, pointer: string): string {
  let out = base;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(key)
      ? `[${key}]`
      : /^[A-Za-z_$][\w$]*$/.test(key)
        ? `.${key}`
        : `[${JSON.stringify(key)}]`;
  }
  return out;
}
