/**
 * Per-second limits met one request at a time. The simulator gives a service `limit × dt` of capacity per tick and
 * spreads a tick's demand evenly over it; the quota gateway sees requests one at a time, on a scenario clock that may
 * run 100× faster than the wall clock, where arrivals within a second are jittered by the event loop. A bucket per
 * dimension that refills at `limit` per second and holds at most one second of it gives the same capacity as the
 * simulator's 1-second tick for any demand spread over the second, without throttling that jitter.
 */
export class RateBucket {
  private readonly tokens: number[];
  private last = -Infinity;

  /** `limits`: per second, one per dimension (records, bytes, calls...). The bucket starts full. */
  constructor(public limits: readonly number[]) {
    this.tokens = [...limits];
  }

  /** Takes `amounts` at scenario time `now` if every dimension has them; false (nothing taken) otherwise. */
  tryTake(now: number, amounts: readonly number[]): boolean {
    if (!this.fits(now, amounts)) return false;
    for (let i = 0; i < this.limits.length; i++) this.tokens[i] = this.tokens[i]! - amounts[i]!;
    return true;
  }

  /** True if every dimension has `amounts` at `now` (nothing is taken), so two buckets can admit together. */
  fits(now: number, amounts: readonly number[]): boolean {
    this.refill(now);
    for (let i = 0; i < this.limits.length; i++) {
      if (amounts[i]! > this.tokens[i]! * (1 + 1e-12) + 1e-9) return false;
    }
    return true;
  }

  /** Takes usage known only afterwards (bytes a read returned); a debt below zero blocks calls until it is repaid. */
  take(now: number, amounts: readonly number[]): void {
    this.refill(now);
    for (let i = 0; i < this.limits.length; i++) this.tokens[i] = this.tokens[i]! - amounts[i]!;
  }

  /** True while every dimension has something left. */
  open(now: number): boolean {
    this.refill(now);
    return this.tokens.every((t) => t > 0);
  }

  private refill(now: number): void {
    if (now > this.last) {
      const dt = this.last === -Infinity ? Infinity : now - this.last;
      for (let i = 0; i < this.limits.length; i++) {
        const limit = this.limits[i]!;
        this.tokens[i] = Math.min(limit, this.tokens[i]! + limit * dt);
      }
      this.last = now;
    }
  }
}
