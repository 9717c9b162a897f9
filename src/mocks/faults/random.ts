/**
 * Small deterministic PRNG: sfc32 seeded through the cyrb128 string hash. Every fault gets its own
 * stream from (run seed, fault id, purpose), so adding or removing one fault never changes the
 * draws of another, and the scope's probability draws never shift the fault's own draws (jitter,
 * garbled bytes).
 */
export type Random = () => number;

/** cyrb128: four 32-bit words from a string, good enough to seed sfc32. */
function cyrb128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

function sfc32(a: number, b: number, c: number, d: number): Random {
  return () => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

/** A stream in [0, 1) determined only by its parts, e.g. createRandom(runSeed, faultId, 'scope'). */
export function createRandom(...parts: Array<string | number>): Random {
  const [a, b, c, d] = cyrb128(parts.map(String).join('\u001f'));
  const next = sfc32(a, b, c, d);
  // Warm-up: the first outputs of sfc32 are still close to the seed words.
  for (let i = 0; i < 12; i++) next();
  return next;
}

/** An integer in [min, max], both included. */
export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}
