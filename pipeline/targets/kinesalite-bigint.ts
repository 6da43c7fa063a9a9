/**
 * kinesalite does its 128-bit hash-key and 186-bit sequence-number arithmetic with bignumber.js, converting between
 * bases for every record it puts or reads: four base conversions a record, 40% of the emulator's CPU and the end-to-end
 * pipeline's bottleneck (profiled in issue 10). It only ever uses whole numbers and a handful of methods, so its worker
 * thread swaps in this class, the same API over native BigInt, before kinesalite loads. Sequence numbers, hash keys and
 * every reply are unchanged (kinesalite-bigint.test.ts checks them against bignumber.js itself).
 *
 * Only what kinesalite 3.3 calls is here: construction from a number, a decimal string or a hex string (base 16),
 * plus/minus/times/div/pow, integerValue, comparisons and toFixed/toString. Anything else is undefined, so a kinesalite
 * that used more would fail loudly rather than compute something else. Invalid input gives NaN, as bignumber.js does.
 */
import { createRequire, Module } from 'node:module';

type Operand = BigIntNumber | number | string;

const DECIMAL = /^-?\d+$/;
const HEX = /^-?[0-9a-f]+$/i;

export class BigIntNumber {
  static readonly ROUND_FLOOR = 3;
  /** The value, or null for NaN. */
  private readonly v: bigint | null;

  constructor(value: Operand | bigint | null, base?: number) {
    this.v = parse(value, base);
  }

  plus(x: Operand): BigIntNumber {
    return op(this, x, (a, b) => a + b);
  }
  minus(x: Operand): BigIntNumber {
    return op(this, x, (a, b) => a - b);
  }
  /** Whole times whole, or times a fraction (kinesalite's `2^185 × 1.5`), floored like integerValue(ROUND_FLOOR). */
  times(x: Operand): BigIntNumber {
    if (typeof x === 'number' && !Number.isInteger(x) && Number.isFinite(x) && this.v !== null) {
      let scale = 0;
      while (!Number.isInteger(x * 2 ** scale) && scale < 64) scale++;
      return new BigIntNumber(floorDiv(this.v * BigInt(x * 2 ** scale), 1n << BigInt(scale)));
    }
    return op(this, x, (a, b) => a * b);
  }
  /** Floored: kinesalite divides only to take integerValue(ROUND_FLOOR) of the quotient. */
  div(x: Operand): BigIntNumber {
    return op(this, x, (a, b) => (b === 0n ? null : floorDiv(a, b)));
  }
  pow(n: number): BigIntNumber {
    return new BigIntNumber(this.v === null ? null : this.v ** BigInt(n));
  }
  integerValue(_rounding?: number): BigIntNumber {
    return this;
  }
  /** 1, 0 or −1; null when either is NaN. */
  comparedTo(x: Operand): number | null {
    const b = new BigIntNumber(x).v;
    if (this.v === null || b === null) return null;
    return this.v === b ? 0 : this.v > b ? 1 : -1;
  }
  eq(x: Operand): boolean {
    return this.comparedTo(x) === 0;
  }
  lt(x: Operand): boolean {
    return this.comparedTo(x) === -1;
  }
  lte(x: Operand): boolean {
    const c = this.comparedTo(x);
    return c === -1 || c === 0;
  }
  gt(x: Operand): boolean {
    return this.comparedTo(x) === 1;
  }
  gte(x: Operand): boolean {
    const c = this.comparedTo(x);
    return c === 1 || c === 0;
  }
  toFixed(): string {
    return this.toString();
  }
  toString(base = 10): string {
    return this.v === null ? 'NaN' : this.v.toString(base);
  }
  valueOf(): string {
    return this.toString();
  }
}

function parse(value: Operand | bigint | null, base?: number): bigint | null {
  if (value === null) return null;
  if (value instanceof BigIntNumber) return (value as unknown as { v: bigint | null }).v;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : null;
  if (base === 16) {
    if (!HEX.test(value)) return null;
    return value.startsWith('-') ? -BigInt(`0x${value.slice(1)}`) : BigInt(`0x${value}`);
  }
  if (base !== undefined && base !== 10) return null;
  return DECIMAL.test(value) ? BigInt(value) : null;
}

function op(a: BigIntNumber, x: Operand, f: (a: bigint, b: bigint) => bigint | null): BigIntNumber {
  const av = (a as unknown as { v: bigint | null }).v;
  const bv = new BigIntNumber(x) as unknown as { v: bigint | null };
  return new BigIntNumber(av === null || bv.v === null ? null : f(av, bv.v));
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

/**
 * Puts BigIntNumber in the module cache where kinesalite's `require('bignumber.js')` resolves, so the kinesalite
 * loaded afterwards in this thread uses it. Call before importing kinesalite, in a thread that runs nothing else.
 * kinesalite's CBOR codec (cbor) shares that bignumber.js and needs all of it (fractions, its own constants): it is
 * loaded first, so it keeps the real one.
 */
export function installKinesaliteBigInt(): void {
  const require = createRequire(import.meta.url);
  const fromKinesalite = createRequire(require.resolve('kinesalite'));
  fromKinesalite('cbor');
  const path = fromKinesalite.resolve('bignumber.js');
  const cached = new Module(path);
  cached.filename = path;
  cached.loaded = true;
  cached.exports = BigIntNumber;
  require.cache[path] = cached;
}
