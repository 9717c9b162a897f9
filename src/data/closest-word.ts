import { distance } from 'fastest-levenshtein';

/**
 * The candidate a typo most likely meant: within edit distance 2, case aside ("latncy" → "latency",
 * "capabilites" → "capabilities"); undefined when none is that close.
 */
export function closestWord(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** ` (did you mean "harbor-bank"?)` after a name nothing has, when one is that close; else nothing. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const meant = closestWord(word, candidates);
  return meant !== undefined && meant !== word ? ` (did you mean ${JSON.stringify(meant)}?)` : '';
}
