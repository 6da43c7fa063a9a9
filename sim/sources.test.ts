import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SOURCE_ANCHORS, citeSources, sourceLink } from './sources.ts';

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) => heading.trim().toLowerCase().replace(/[^\w\s-]/g, '').replace(/\s+/g, '-');
const page = readFileSync(new URL('../docs/sources.md', import.meta.url), 'utf8');
const anchors = new Set([...page.matchAll(/^#{1,4} (.+)$/gm)].map((m) => slug(m[1]!)));

describe('docs/sources.md is what reports link to (issue 9 #10)', () => {
  it('has a heading for every anchor a citation can produce', () => {
    expect(Object.values(SOURCE_ANCHORS).filter((a) => !anchors.has(a))).toEqual([]);
  });

  it('rewrites aws-reference citations into links: §1.3 → #kinesis-resharding, §2.4 → its parent #kinesis-scaling-utils', () => {
    expect(citeSources('UpdateShardCount takes "a few minutes" (aws-reference §1.3); UNCONFIRMED')).toBe(
      'UpdateShardCount takes "a few minutes" (docs/sources.md#kinesis-resharding); UNCONFIRMED',
    );
    expect(citeSources('AWS describes the rule in words only (§1.4, §3.6)')).toBe(
      'AWS describes the rule in words only (docs/sources.md#kinesis-on-demand, docs/sources.md#dynamodb-on-demand)',
    );
    expect(citeSources('falls back to split/merge (§2.4.)')).toBe('falls back to split/merge (docs/sources.md#kinesis-scaling-utils.)');
    expect(citeSources('not in aws-reference; UNCONFIRMED')).toBe('not in docs/sources.md; UNCONFIRMED');
    expect(sourceLink('9.9')).toBe('docs/sources.md');
  });
});
