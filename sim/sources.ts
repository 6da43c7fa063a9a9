/**
 * Where a cited AWS fact is explained for a reader: the repository's own docs/sources.md. Code comments cite
 * aws-reference.md sections (§1.3); anything a user reads (assumptions in summary.json and reports, price notes,
 * error messages) links to the matching section of docs/sources.md instead, since aws-reference.md is not shipped.
 */

/** aws-reference section → anchor in docs/sources.md. A section not listed falls back to its parent. */
export const SOURCE_ANCHORS: Readonly<Record<string, string>> = {
  '1': 'kinesis-data-streams',
  '1.1': 'kinesis-shard-limits',
  '1.2': 'kinesis-throttling',
  '1.3': 'kinesis-resharding',
  '1.4': 'kinesis-on-demand',
  '1.5': 'cloudwatch-metrics',
  '1.6': 'kinesis-prices',
  '2': 'kinesis-scaling-utils',
  '3': 'dynamodb',
  '3.1': 'dynamodb-capacity-units',
  '3.2': 'dynamodb-partitions',
  '3.3': 'dynamodb-throttling',
  '3.4': 'dynamodb-quotas',
  '3.5': 'dynamodb-auto-scaling',
  '3.6': 'dynamodb-on-demand',
  '3.7': 'dynamodb-prices',
  '3.8': 'dynamic-dynamodb',
  '4': 'lambda',
  '5': 'firehose',
  '6': 'api-gateway',
  '7': 's3',
};

export const SOURCES_PAGE = 'docs/sources.md';

/** `docs/sources.md#kinesis-resharding` for section `1.3` (or its parent's anchor; the page itself when unknown). */
export function sourceLink(section: string): string {
  let key = section;
  while (!(key in SOURCE_ANCHORS) && key.includes('.')) key = key.slice(0, key.lastIndexOf('.'));
  const anchor = SOURCE_ANCHORS[key];
  return anchor ? `${SOURCES_PAGE}#${anchor}` : SOURCES_PAGE;
}

/**
 * Rewrites citations of aws-reference for a reader: `aws-reference §1.3`, `aws-reference.md §2.1` and a bare `§1.5`
 * become `docs/sources.md#…`; "not in aws-reference" becomes "not in docs/sources.md".
 */
export function citeSources(text: string): string {
  return text
    .replace(/aws-reference(?:\.md)?\s+§(\d+(?:\.\d+)*)/g, (_, section: string) => sourceLink(section))
    .replace(/§(\d+(?:\.\d+)*)/g, (_, section: string) => sourceLink(section))
    .replace(/\baws-reference(?:\.md)?\b/g, SOURCES_PAGE);
}
