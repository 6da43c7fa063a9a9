/**
 * Firehose's S3 object names (Firehose developer guide, "Amazon S3 object name format"): the prefix, then a UTC time
 * prefix `YYYY/MM/DD/HH/` unless the prefix already uses `!{timestamp:…}` expressions, then
 * `<stream>-<version>-YYYY-MM-DD-HH-MM-SS-<random>`. The time is the arrival time of the oldest record in the object,
 * as Firehose evaluates its timestamp expressions.
 */
import { randomUUID } from 'node:crypto';

export interface ObjectKeyParts {
  prefix: string;
  streamName: string;
  version: number;
  /** Epoch ms of the oldest record in the object. */
  time: number;
  /** Replaces `!{firehose:error-output-type}` in error output prefixes. */
  errorOutputType?: string;
  /** The random tail; a fresh UUID when absent (tests pass one to compare whole keys). */
  random?: string;
}

export function firehoseObjectKey(parts: ObjectKeyParts): string {
  const d = new Date(parts.time);
  const random = parts.random ?? randomUUID();
  const usesExpressions = /!\{timestamp:[^}]*\}/.test(parts.prefix);
  let prefix = parts.prefix
    .replace(/!\{timestamp:([^}]*)\}/g, (_, pattern: string) => formatTimestamp(pattern, d))
    .replace(/!\{firehose:random-string\}/g, () => randomUUID().slice(0, 11))
    .replace(/!\{firehose:error-output-type\}/g, parts.errorOutputType ?? 'processing-failed');
  if (!usesExpressions) prefix += formatTimestamp('yyyy/MM/dd/HH/', d);
  return `${prefix}${parts.streamName}-${parts.version}-${formatTimestamp('yyyy-MM-dd-HH-mm-ss', d)}-${random}`;
}

/** The subset of Java's DateTimeFormatter patterns Firehose documents for `!{timestamp:…}`, in UTC. */
export function formatTimestamp(pattern: string, d: Date): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const fields: Record<string, string> = {
    yyyy: String(d.getUTCFullYear()),
    MM: pad(d.getUTCMonth() + 1),
    dd: pad(d.getUTCDate()),
    HH: pad(d.getUTCHours()),
    mm: pad(d.getUTCMinutes()),
    ss: pad(d.getUTCSeconds()),
  };
  return pattern.replace(/yyyy|MM|dd|HH|mm|ss/g, (token) => fields[token]!);
}
