// The benchmarks' one seeded generator: every run measures the same inputs.

/** mulberry32: exact 32-bit integer arithmetic (Math.imul), period 2^32; uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit seed from a string (the same string, the same seed). */
export function seedOf(text: string): number {
  let s = 0;
  for (const ch of text) s = (Math.imul(s, 31) + ch.charCodeAt(0)) | 0;
  return s;
}
