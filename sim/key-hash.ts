import { hash } from 'node:crypto';

/**
 * Where a partition key lands in the hash key space: the top 48 bits of its MD5 (as Kinesis and DynamoDB hash
 * partition keys) as a fraction in [0, 1). Shared by the Kinesis shards and the DynamoDB partitions.
 *
 * Node's one-shot `crypto.hash` (Node ≥ 20.12) rather than `createHash`: a key is a few dozen bytes, and a run keyed by
 * tenant + time bucket hashes every tenant's key once per bucket, where createHash's per-call object cost doubled the
 * time (100,000 tenants × 48 hours: 20 s of a 2-day run with createHash).
 */
export function keyHashPosition(key: string): number {
  return (hash('md5', key, 'buffer') as Buffer).readUIntBE(0, 6) / 2 ** 48;
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
