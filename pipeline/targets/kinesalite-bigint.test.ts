import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { BigIntNumber, installKinesaliteBigInt } from './kinesalite-bigint.ts';

const require = createRequire(import.meta.url);
const fromKinesalite = createRequire(require.resolve('kinesalite'));
const bignumberPath = fromKinesalite.resolve('bignumber.js');
const dbPath = fromKinesalite.resolve('./db');
/** The bignumber.js kinesalite itself depends on (not a dependency of ours). */
const BigNumber = fromKinesalite('bignumber.js') as typeof import('bignumber.js').default;

type KinesaliteDb = {
  parseSequence(seq: string): Record<string, unknown>;
  stringifySequence(obj: Record<string, unknown>): string;
  incrementSequence(seq: string, seqTime?: number): string;
  partitionKeyToHashKey(key: string): { toFixed(): string; comparedTo(x: string): number | null };
};

/** kinesalite's db module as loaded with real bignumber.js, then again with BigIntNumber swapped in. */
function loadBoth(): { real: KinesaliteDb; swapped: KinesaliteDb } {
  const saved = require.cache[bignumberPath];
  delete require.cache[dbPath];
  const real = fromKinesalite('./db') as KinesaliteDb;
  delete require.cache[dbPath];
  installKinesaliteBigInt();
  const swapped = fromKinesalite('./db') as KinesaliteDb;
  delete require.cache[dbPath];
  if (saved) require.cache[bignumberPath] = saved;
  else delete require.cache[bignumberPath];
  return { real, swapped };
}

const random = seedrandom('kinesalite-bigint');
const hex = (digits: number) => Array.from({ length: digits }, () => Math.floor(random() * 16).toString(16)).join('');

describe('BigIntNumber against bignumber.js', () => {
  afterAll(() => {
    delete require.cache[dbPath];
  });

  it('gives the same digits for every operation kinesalite uses, on random 128- and 186-bit numbers', () => {
    for (let i = 0; i < 500; i++) {
      const a = hex(1 + Math.floor(random() * 47)).replace(/^0+(?=.)/, '');
      const b = hex(1 + Math.floor(random() * 32)).replace(/^0+(?=.)/, '');
      const [A, B] = [new BigNumber(a, 16), new BigNumber(b, 16)];
      const [X, Y] = [new BigIntNumber(a, 16), new BigIntNumber(b, 16)];
      expect(X.toFixed()).toBe(A.toFixed());
      expect(X.toString(16)).toBe(A.toString(16));
      expect(X.plus(1).toFixed()).toBe(A.plus(1).toFixed());
      expect(X.plus(Y).toFixed()).toBe(A.plus(B).toFixed());
      expect(X.minus(Y).toFixed()).toBe(A.minus(B).toFixed());
      expect(X.times(Y).toFixed()).toBe(A.times(B).toFixed());
      if (!B.isZero()) expect(X.div(Y).integerValue(BigIntNumber.ROUND_FLOOR).toFixed()).toBe(A.div(B).integerValue(BigNumber.ROUND_FLOOR).toFixed());
      // Comparisons take kinesalite's decimal strings (HashKeyRange) as often as numbers.
      expect(X.comparedTo(B.toFixed())).toBe(A.comparedTo(B.toFixed()));
      expect([X.lt(Y), X.lte(Y), X.gt(Y), X.gte(Y), X.eq(Y)]).toEqual([A.lt(B), A.lte(B), A.gt(B), A.gte(B), A.eq(B)]);
    }
  });

  it('computes the constants and shard ranges kinesalite derives from powers of two', () => {
    expect(new BigIntNumber(2).pow(185).times(1.5).toFixed()).toBe(new BigNumber(2).pow(185).times(1.5).toFixed());
    expect(new BigIntNumber(2).pow(125).times(16).toFixed()).toBe(new BigNumber(2).pow(125).times(16).toFixed());
    for (let shards = 1; shards <= 64; shards++) {
      const width = new BigIntNumber(2).pow(128).div(shards).integerValue(BigIntNumber.ROUND_FLOOR);
      const expected = new BigNumber(2).pow(128).div(shards).integerValue(BigNumber.ROUND_FLOOR);
      expect(width.times(shards - 1).toFixed()).toBe(expected.times(shards - 1).toFixed());
    }
  });

  it('is NaN for what bignumber.js cannot read, and NaN compares as nothing', () => {
    for (const bad of ['', 'abc', '12x']) {
      expect(new BigIntNumber(bad).toFixed()).toBe(new BigNumber(bad).toFixed());
      expect(new BigIntNumber(bad).comparedTo(0)).toBeNull();
      expect(new BigIntNumber(bad).lt(1)).toBe(false);
    }
    expect(new BigIntNumber('zz', 16).toString()).toBe('NaN');
    // Whole numbers only: a fraction (kinesalite never reads one) is NaN here, loudly, not a rounded guess.
    expect(new BigIntNumber('1.5').toString()).toBe('NaN');
    expect(new BigIntNumber(1).div(0).toString()).toBe('NaN');
  });
});

describe('kinesalite with BigIntNumber', () => {
  const { real, swapped } = loadBoth();

  it('places partition keys on the same hash keys', () => {
    for (let i = 0; i < 300; i++) {
      const key = `tenant-${i}#${Math.floor(random() * 1e9)}`;
      expect(swapped.partitionKeyToHashKey(key).toFixed()).toBe(real.partitionKeyToHashKey(key).toFixed());
    }
  });

  it('writes, reads and increments the same sequence numbers', () => {
    const created = Date.UTC(2026, 11, 2, 12, 0, 0);
    for (let i = 0; i < 300; i++) {
      const obj = { shardCreateTime: created, shardIx: Math.floor(random() * 500), seqIx: Math.floor(random() * 2 ** 40), seqTime: created + Math.floor(random() * 1e8) };
      const seq = real.stringifySequence(obj);
      expect(swapped.stringifySequence(obj)).toBe(seq);
      expect(swapped.parseSequence(seq)).toEqual(real.parseSequence(seq));
      expect(swapped.incrementSequence(seq)).toBe(real.incrementSequence(seq));
    }
    // A shard's end marker (seqIx 2^63 − 1, as kinesalite closes shards) survives the round trip too.
    const closed = real.stringifySequence({ shardCreateTime: created, shardIx: 3, seqIx: new BigNumber('7fffffffffffffff', 16).toFixed() });
    expect(swapped.parseSequence(closed)).toEqual(real.parseSequence(closed));
  });
});
