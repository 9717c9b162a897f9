/** A host's wall clock as its answers write it: DE12 and DE13 are local time, not UTC. */
export interface Clock {
  yyyy: string;
  yy: string;
  mmdd: string;
  hhmmss: string;
}

// The digits change once a second: a busy host reuses them instead of formatting per answer.
const cache = new Map<string, { second: number; clock: Clock }>();
const formats = new Map<string, Intl.DateTimeFormat>();

/** `now` on the clock of `timeZone` (an IANA zone, e.g. Asia/Shanghai; default UTC). */
export function localClock(now: Date, timeZone = 'UTC'): Clock {
  const second = Math.floor(now.getTime() / 1000);
  const hit = cache.get(timeZone);
  if (hit && hit.second === second) return hit.clock;
  const clock = timeZone === 'UTC' ? utcParts(now) : zoneParts(now, timeZone);
  cache.set(timeZone, { second, clock });
  return clock;
}

/** Throws a RangeError for a zone the runtime does not know. */
export function checkTimeZone(timeZone: string): void {
  formatOf(timeZone);
}

function utcParts(now: Date): Clock {
  const p = (n: number) => String(n).padStart(2, '0');
  const yyyy = String(now.getUTCFullYear());
  return {
    yyyy,
    yy: yyyy.slice(-2),
    mmdd: p(now.getUTCMonth() + 1) + p(now.getUTCDate()),
    hhmmss: p(now.getUTCHours()) + p(now.getUTCMinutes()) + p(now.getUTCSeconds()),
  };
}

function zoneParts(now: Date, timeZone: string): Clock {
  const part: Record<string, string> = {};
  for (const { type, value } of formatOf(timeZone).formatToParts(now)) part[type] = value;
  const yyyy = part.year!;
  return {
    yyyy,
    yy: yyyy.slice(-2),
    mmdd: part.month! + part.day!,
    hhmmss: part.hour! + part.minute! + part.second!,
  };
}

function formatOf(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formats.set(timeZone, f);
  }
  return f;
}
