/**
 * Per-second limits met one request at a time. The simulator applies a service's per-second limits to each tick's
 * aggregated demand (capacity = limit × dt, shared by everything in the tick); the quota gateway meets the same limits
 * one request at a time, over fixed one-second windows of scenario time, which is the simulator's tick at its default
 * resolution of 1 s. Both take their numbers from the model files (SHARD_LIMITS, FirehoseModel.limits).
 */

/** Share of a tick's demand that per-second `limits` let through over `dt` seconds: min over dimensions of limit·dt/demand. */
export function windowFraction(limits: readonly number[], demand: readonly number[], dt: number): number {
  let f = 1;
  for (let i = 0; i < limits.length; i++) {
    const d = demand[i]!;
    if (d > 0) {
      const share = (limits[i]! * dt) / d;
      if (share < f) f = share;
    }
  }
  return f;
}

/**
 * Fixed one-second windows over several dimensions (records, bytes, calls...). `tryTake` admits an indivisible amount
 * only if every dimension stays within its limit in the window containing `now`; what is refused consumes nothing.
 */
export class FixedWindow {
  private window = -Infinity;
  readonly used: number[];

  constructor(public limits: readonly number[]) {
    this.used = limits.map(() => 0);
  }

  /** Takes `amounts` in the window containing `now` if they fit; false (nothing taken) if any dimension would overflow. */
  tryTake(now: number, amounts: readonly number[]): boolean {
    this.roll(now);
    for (let i = 0; i < this.limits.length; i++) {
      if (this.used[i]! + amounts[i]! > this.limits[i]! * (1 + 1e-12)) return false;
    }
    for (let i = 0; i < this.limits.length; i++) this.used[i] = this.used[i]! + amounts[i]!;
    return true;
  }

  /** Adds usage known only afterwards (bytes a read returned); it may exceed the limit and blocks the rest of the window. */
  add(now: number, amounts: readonly number[]): void {
    this.roll(now);
    for (let i = 0; i < this.limits.length; i++) this.used[i] = this.used[i]! + amounts[i]!;
  }

  /** True while every dimension is below its limit in the window containing `now`. */
  open(now: number): boolean {
    this.roll(now);
    return this.used.every((u, i) => u < this.limits[i]!);
  }

  private roll(now: number): void {
    const w = Math.floor(now);
    if (w !== this.window) {
      this.window = w;
      this.used.fill(0);
    }
  }
}
