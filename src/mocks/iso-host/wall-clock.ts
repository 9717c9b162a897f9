/**
 * The wall clock as a Date, one object per millisecond, shared by the requests of that millisecond:
 * a host reads the clock once per request, and under load dozens of requests fall in one
 * millisecond. `new Date()` costs ~750 instructions, reading the clock and reusing the object ~340
 * (counted under callgrind). Readers must not change it (processRequest only reads it).
 */
export function wallClock(): () => Date {
  let ms = Number.NaN;
  let date = new Date(0);
  return () => {
    const t = Date.now();
    if (t !== ms) {
      ms = t;
      date = new Date(t);
    }
    return date;
  };
}
