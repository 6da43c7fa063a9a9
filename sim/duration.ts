import { z } from 'zod';

/** Durations as scenario files write them: `90s`, `10m`, `2h`, `7d`, `500ms`, or combined (`1h30m`). */

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400 };
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/** Seconds in `text`, or undefined when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  const compact = text.trim();
  if (!WHOLE.test(compact)) return undefined;
  let seconds = 0;
  for (const [, amount, unit] of compact.matchAll(PART)) seconds += Number(amount) * UNIT_SECONDS[unit!]!;
  return seconds;
}

/** `5400` → `1h30m`; `0.5` → `500ms`. Used in reports and CLI output. */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  const parts: string[] = [];
  let rest = Math.round(seconds);
  for (const [unit, size] of [['d', 86_400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.join('');
}

const EXPECTED = 'expected a duration such as 90s, 10m, 2h or 7d, or a number of seconds';

/**
 * A duration → seconds. The one rule for every key that holds a time: a duration string (`90s`, `10m`, `2h`, `7d`,
 * `1h30m`) or a bare number, which is seconds (`bufferSeconds: 60` = `60s`).
 */
export const duration = () =>
  // One custom message for every wrong input (a list, `true`, a typo), rather than zod's union wording.
  z.unknown().transform((value, ctx) => {
    const seconds = typeof value === 'number' ? value : typeof value === 'string' ? parseDuration(value) : undefined;
    if (seconds === undefined) {
      ctx.addIssue({ code: 'custom', message: value === undefined ? `required: ${EXPECTED}` : `${EXPECTED}, got ${describe(value)}` });
      return z.NEVER;
    }
    if (!Number.isFinite(seconds) || seconds < 0) {
      ctx.addIssue({ code: 'custom', message: `expected a duration of 0s or more (a number is seconds), got ${value}` });
      return z.NEVER;
    }
    return seconds;
  });

/** A duration that must be above zero (a run's length, a tick). */
export const positiveDuration = (what: string) =>
  duration().refine((seconds) => seconds > 0, { message: `expected ${what} longer than 0s, such as 90s, 10m or 1h, got 0` });

function describe(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  return typeof input === 'string' ? `"${input}"` : String(input);
}
