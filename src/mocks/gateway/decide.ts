/** `12`/`2030` (numbers or strings, 2- or 4-digit year) → `3012`; undefined when either is unusable. */
export function yymm(month: unknown, year: unknown): string | undefined {
  const m = typeof month === 'number' || typeof month === 'string' ? Number(month) : Number.NaN;
  const y = typeof year === 'number' || typeof year === 'string' ? Number(year) : Number.NaN;
  if (!Number.isInteger(m) || m < 1 || m > 12 || !Number.isInteger(y) || y < 0) return undefined;
  return `${String(y % 100).padStart(2, '0')}${String(m).padStart(2, '0')}`;
}
