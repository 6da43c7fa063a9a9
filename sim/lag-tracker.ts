/**
 * Scaling lag as design.md defines it: the longest continuous span during which offered load exceeded provisioned
 * capacity; under-provisioned seconds are the sum of all such spans.
 */
export class LagTracker {
  longest = 0;
  total = 0;
  /** Start of the first under-provisioned span, if any. */
  firstAt: number | undefined;
  private spanStart: number | undefined;
  private spanEnd = 0;

  observe(t: number, dt: number, underProvisioned: boolean): void {
    if (underProvisioned) {
      if (this.spanStart === undefined) this.spanStart = t;
      this.firstAt ??= t;
      this.spanEnd = t + dt;
      this.total += dt;
      this.longest = Math.max(this.longest, this.spanEnd - this.spanStart);
    } else {
      this.spanStart = undefined;
    }
  }
}
