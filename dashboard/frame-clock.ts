/**
 * The wall clock a run source reads and the timer that paces its frames, behind one interface so tests drive
 * frames by hand (ManualClock) instead of waiting on real timers.
 */

export interface FrameClock {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** Calls `fn` every `ms` milliseconds until the returned function is called. */
  every(ms: number, fn: () => void): () => void;
}

export const wallClock: FrameClock = {
  now: () => performance.now(),
  every(ms, fn) {
    const handle = setInterval(fn, ms);
    return () => clearInterval(handle);
  },
};

/** A clock that moves only when told to: `tick(ms)` advances time and fires every timer due on the way. */
export class ManualClock implements FrameClock {
  private time = 0;
  private timers: { every: number; start: number; fired: number; next: number; fn: () => void }[] = [];

  now(): number {
    return this.time;
  }

  every(ms: number, fn: () => void): () => void {
    const timer = { every: ms, start: this.time, fired: 0, next: this.time + ms, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Advances by `ms`, firing due timers in time order. */
  tick(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      // A microsecond of slack, so 15 frames of 66.67 ms make exactly one second.
      const due = this.timers.filter((t) => t.next <= end + 1e-3).sort((a, b) => a.next - b.next)[0];
      if (!due) break;
      this.time = Math.min(end, due.next);
      due.fired++;
      due.next = due.start + (due.fired + 1) * due.every;
      due.fn();
    }
    this.time = end;
  }

  /** Timers still running (a stopped source leaves none). */
  get pending(): number {
    return this.timers.length;
  }
}
