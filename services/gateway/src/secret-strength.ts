/**
 * A rough, documented estimate of a secret's entropy in bits: length × log2(alphabet), where the
 * alphabet is the smaller of the character classes used (26 lower, 26 upper, 10 digits, 33 other
 * printable ASCII, 128 for anything else) and the number of different characters in it. The
 * second term catches patterns: 'abcdefghijkl' repeated uses one class of 26 but only 12
 * characters. An estimate, not a proof (a sentence of words passes): generate secrets with
 * `openssl rand -base64 48` (about 380 bits by this count).
 */
export function estimatedEntropyBits(secret: string): number {
  const chars = [...secret];
  let classes = 0;
  if (chars.some((c) => /[a-z]/.test(c))) classes += 26;
  if (chars.some((c) => /[A-Z]/.test(c))) classes += 26;
  if (chars.some((c) => /[0-9]/.test(c))) classes += 10;
  if (chars.some((c) => /[!-/:-@[-`{-~ ]/.test(c))) classes += 33;
  if (chars.some((c) => c > '~')) classes += 128;
  const alphabet = Math.min(classes, new Set(chars).size);
  return alphabet <= 1 ? 0 : chars.length * Math.log2(alphabet);
}

/** What JWT_SECRET must reach in production: the strength of a random 128-bit key. */
export const MIN_SECRET_BITS = 128;
