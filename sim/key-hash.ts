/**
 * Where a partition key lands in the hash key space: the top 48 bits of its MD5 (as Kinesis and DynamoDB hash
 * partition keys) as a fraction in [0, 1). Shared by the Kinesis shards and the DynamoDB partitions.
 *
 * MD5 is written out here rather than taken from node:crypto because a key is a few dozen bytes and createHash costs
 * ~4 µs of call overhead and garbage each: a run keyed by tenant + time bucket hashes every tenant's key once per
 * bucket (100,000 tenants × 48 hours was 20 s of a 2-day run). Same digest as node:crypto (sim/key-hash.test.ts).
 */

const K = Int32Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0);
const S = Uint8Array.from([7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21]);
const encoder = new TextEncoder();
let buffer = new Uint8Array(128);
const M = new Int32Array(16);

/** The top 48 bits of the MD5 of `key` (UTF-8), divided by 2⁴⁸. */
export function keyHashPosition(key: string): number {
  // UTF-8 takes at most 3 bytes per UTF-16 code unit; then 0x80, padding and the 8-byte length.
  const need = Math.ceil((key.length * 3 + 9) / 64) * 64;
  if (buffer.length < need) buffer = new Uint8Array(need);
  const buf = buffer;
  const n = encoder.encodeInto(key, buf).written;
  const blocks = Math.ceil((n + 9) / 64);
  const end = blocks * 64;
  buf[n] = 0x80;
  buf.fill(0, n + 1, end - 8);
  const bits = n * 8;
  buf[end - 8] = bits & 255;
  buf[end - 7] = (bits >>> 8) & 255;
  buf[end - 6] = (bits >>> 16) & 255;
  buf[end - 5] = (bits >>> 24) & 255;
  buf[end - 4] = 0;
  buf[end - 3] = 0;
  buf[end - 2] = 0;
  buf[end - 1] = 0;
  let a0 = 0x67452301;
  let b0 = 0xefcdab89 | 0;
  let c0 = 0x98badcfe | 0;
  let d0 = 0x10325476;
  for (let o = 0; o < end; o += 64) {
    for (let j = 0; j < 16; j++) {
      const p = o + j * 4;
      M[j] = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    }
    let a = a0;
    let b = b0;
    let c = c0;
    let d = d0;
    for (let i = 0; i < 64; i++) {
      let f: number;
      let g: number;
      if (i < 16) {
        f = (b & c) | (~b & d);
        g = i;
      } else if (i < 32) {
        f = (b & d) | (c & ~d);
        g = (5 * i + 1) & 15;
      } else if (i < 48) {
        f = b ^ c ^ d;
        g = (3 * i + 5) & 15;
      } else {
        f = c ^ (b | ~d);
        g = (7 * i) & 15;
      }
      f = (f + a + K[i]! + M[g]!) | 0;
      a = d;
      d = c;
      c = b;
      const s = S[((i >> 4) << 2) | (i & 3)]!;
      b = (b + ((f << s) | (f >>> (32 - s)))) | 0;
    }
    a0 = (a0 + a) | 0;
    b0 = (b0 + b) | 0;
    c0 = (c0 + c) | 0;
    d0 = (d0 + d) | 0;
  }
  // Digest bytes 0–5: a0's four bytes, then b0's low two (little-endian words), read big-endian.
  const top = (a0 & 255) * 2 ** 24 + ((a0 >>> 8) & 255) * 2 ** 16 + ((a0 >>> 16) & 255) * 2 ** 8 + (a0 >>> 24);
  return (top * 2 ** 16 + (b0 & 255) * 2 ** 8 + ((b0 >>> 8) & 255)) / 2 ** 48;
}

/**
 * Share of each group's traffic per range for the hash ranges `bounds` (groups × ranges), `keys[g]` being group g's
 * key positions, each key taking an equal share: Kinesis shards and DynamoDB partitions alike.
 */
export function keyWeights(keys: readonly Float64Array[], bounds: Float64Array): Float64Array<ArrayBuffer> {
  const n = bounds.length - 1;
  const weights = new Float64Array(keys.length * n);
  keys.forEach((positions, g) => {
    for (const p of positions) {
      let lo = 0;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (bounds[mid]! <= p) lo = mid;
        else hi = mid - 1;
      }
      weights[g * n + lo] = weights[g * n + lo]! + 1 / positions.length;
    }
  });
  return weights;
}
