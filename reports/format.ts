/** Number formats shared by the text, markdown and dashboard views. */
import { formatDuration } from '../sim/duration.ts';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export const int = (x: number): string => integer.format(Math.round(x));

export const pct = (part: number, whole: number): string => (whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '–');

/** A share that never rounds a shortfall up to 100%: 99.96% stays "99.96%", only the whole reads "100%". */
export const share = (part: number, whole: number): string => {
  if (!(whole > 0)) return '–';
  if (part >= whole - 0.5) return '100%';
  for (const digits of [1, 2, 3]) {
    const text = ((100 * part) / whole).toFixed(digits);
    if (Number(text) < 100) return `${text}%`;
  }
  return '99.999%';
};

export const money = (usd: number): string =>
  usd >= 100 ? `$${integer.format(usd)}` : usd >= 1 ? `$${usd.toFixed(2)}` : usd >= 0.01 ? `$${usd.toFixed(3)}` : `$${usd.toFixed(5)}`;

export const seconds = (s: number): string => formatDuration(s);

/** Milliseconds as a reader wants them: 530 ms, 12.5 s, then minutes and hours (86,048,800 ms → 23h54m9s). */
export const ms = (x: number): string => (x < 10_000 ? `${int(x)} ms` : x < 120_000 ? `${(x / 1000).toFixed(1)} s` : formatDuration(x / 1000));

export const bytes = (b: number): string => {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = b;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
};

/** Pads columns of a small table to their widest cell. */
export function table(rows: readonly (readonly string[])[], indent = ''): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n');
}

/** A unit price with enough digits to be exact as listed ($0.0000166667, $0.015, $3.50). */
export const unitPrice = (usd: number): string => {
  if (usd >= 1) return `$${usd.toFixed(2)}`;
  if (!(usd > 0)) return '$0';
  const digits = Math.min(20, Math.max(2, 5 - Math.floor(Math.log10(usd))));
  return `$${usd.toFixed(digits).replace(/0+$/, '').replace(/\.$/, '')}`;
};

/** A fixed-precision number with thousands separators and up to `digits` decimals (trailing zeros dropped). */
export const num = (x: number, digits = 2): string => new Intl.NumberFormat('en-US', { maximumFractionDigits: digits }).format(x);
