/**
 * Control events on the virtual clock (metric publication, policy checks, reshard completion), ordered by
 * (time, priority, sequence) as SimPy orders its heap, so events at the same instant always run in the same order.
 * The data plane does not use this queue: it advances per tick as aggregated flows.
 */
export interface ScheduledEvent {
  readonly time: number;
  readonly priority: number;
  readonly seq: number;
  readonly run: (now: number) => void;
}

export class EventQueue {
  private heap: ScheduledEvent[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Schedules `run` at `time`; lower `priority` runs first among events at the same time. */
  schedule(time: number, run: (now: number) => void, priority = 0): void {
    if (!Number.isFinite(time)) throw new RangeError(`event time must be finite, got ${time}`);
    this.heap.push({ time, priority, seq: this.nextSeq++, run });
    this.siftUp(this.heap.length - 1);
  }

  /** Time of the earliest event, or Infinity. */
  peekTime(): number {
    return this.heap[0]?.time ?? Infinity;
  }

  /** Runs every event due at or before `now`, including ones they schedule for no later than `now`. */
  runUntil(now: number): void {
    while (this.heap.length > 0 && this.heap[0]!.time <= now) {
      const event = this.pop();
      event.run(event.time);
    }
  }

  private pop(): ScheduledEvent {
    const top = this.heap[0]!;
    const last = this.heap.pop()!;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  private before(a: ScheduledEvent, b: ScheduledEvent): boolean {
    return a.time !== b.time ? a.time < b.time : a.priority !== b.priority ? a.priority < b.priority : a.seq < b.seq;
  }

  private siftUp(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < h.length && this.before(h[l]!, h[best]!)) best = l;
      if (r < h.length && this.before(h[r]!, h[best]!)) best = r;
      if (best === i) return;
      [h[i], h[best]] = [h[best]!, h[i]!];
      i = best;
    }
  }
}
