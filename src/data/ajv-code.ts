import type { CodeOptions } from 'ajv';

/**
 * Code options for every ajv instance in the process (data files, fault specs, REST documents,
 * the admin API's routes).
 *
 * ajv's code optimizer counts the generated variable names (`err0` … `err505`, `_errs35`, `data31`)
 * in plain objects, one property per name. Each new name adds a transition to the map V8 gives every
 * empty object literal, and that map holds at most 1,536. Compiling the host and card schemas went
 * past it. After that, every object that starts as `{}` (in our code, and in Node's own: the object
 * `process.nextTick` makes) got a fresh map on each first property: a runtime call where an inline
 * cache hit should be, on every request, until a full collection cleared ajv's garbage. A quiet mock
 * host can run for hours without one. Validators compile once per schema and check a file or a
 * fault once, so the optimizer's savings never mattered here.
 */
export const AJV_CODE: CodeOptions = { optimize: false };
