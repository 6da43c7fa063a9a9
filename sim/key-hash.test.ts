import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyHashPosition } from './key-hash.ts';

const reference = (key: string) => createHash('md5').update(key).digest().readUIntBE(0, 6) / 2 ** 48;

describe('keyHashPosition', () => {
  it('is the top 48 bits of node:crypto MD5, for short, long, multi-block and non-ASCII keys', () => {
    const keys = ['', 'a', 'tenant-0', 'hot-tenant-17#493812', 'é-ß-日本-🙂-0', 'x'.repeat(55), 'y'.repeat(56), 'z'.repeat(64), 'w'.repeat(300)];
    for (let i = 0; i < 5_000; i++) keys.push(`group-${i}#${i * 7}`, `${'k'.repeat(i % 130)}-${i}`);
    for (const key of keys) expect(keyHashPosition(key), key).toBe(reference(key));
  });
});
