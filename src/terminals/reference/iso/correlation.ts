import type { IsoMessage } from '../../../protocols/iso8583/index.js';

/**
 * Whether an answer belongs to the request the terminal is waiting on (DOMAIN.md §4): same MTI
 * version and class with the response function (0200 -> 0210, 0401 -> 0410), same STAN, same
 * terminal id. Returns why not, or undefined when it matches. Elements the answer does not carry
 * are not compared (a format-error answer may echo nothing).
 */
export function mismatch(request: IsoMessage, response: IsoMessage, checkStan: boolean): string | undefined {
  const req = request.mti;
  const res = response.mti;
  const fn = Number(req[2]);
  if (res[0] !== req[0] || res[1] !== req[1] || Number(res[2]) !== fn + 1)
    return `MTI ${res} does not answer ${req}`;
  const text = (m: IsoMessage, id: string) => {
    const v = m.fields[id];
    return typeof v === 'string' ? v.trimEnd() : undefined;
  };
  const stan = [text(request, '11'), text(response, '11')];
  if (checkStan && stan[0] !== undefined && stan[1] !== undefined && stan[0] !== stan[1])
    return `STAN ${stan[1]} is not ${stan[0]}`;
  const tid = [text(request, '41'), text(response, '41')];
  if (tid[0] !== undefined && tid[1] !== undefined && tid[0] !== tid[1])
    return `terminal id ${tid[1]} is not ${tid[0]}`;
  return undefined;
}
