/**
 * Per-second limits met by a sampled flow. A run that sends a fraction F of its events weighs each sent record 1/F,
 * so a smooth flow of N records a second arrives as N·F lumps of 1/F; and on a compressed run a wall-clock pause of
 * the load generator or the API (a GC, a busy core) becomes K times longer on the scenario clock, after which what
 * was held back arrives at one instant. Judged lump by lump against a one-second bucket, such a backlog is refused in
 * part even when the flow averages well under the limit, where the simulator's aggregate flow and AWS refuse nothing.
 *
 * So sampled records are admitted in expectation instead: the demand rate (every attempt, retries included) is
 * estimated with an exponential moving average over `horizonSeconds`, and records pass in the share
 * min(1, limit / demand), the share the simulator's tick admits: spread evenly (error diffusion, not dice, so the
 * admitted count is that share of the attempts give or take one). Under the limit nothing is refused; over it, the
 * admitted rate is the limit on average. What is lost is resolution below the horizon, which a sample cannot have: a
 * step in demand is followed within about one horizon. The average starts at 0, an idle shard: as a full one-second
 * bucket lets a first second's excess through, a flow that starts over the limit gets in about 2 s of extra capacity
 * while the average rises (1,000 × 2 s × (ln 3 − ln 2) + the 2.2 s before it crosses 1,000, for 1,500 records/s on
 * a 1,000 limit), and a flow under the limit is never refused.
 */
export class SampledAdmission {
  private readonly rates: number[];
  /** Admissions earned but not yet made (0 to 1). */
  private owed = 0.5;
  private last = -Infinity;

  /**
   * `limits`: per second, one per dimension (records, bytes).
   * `horizonSeconds`: the demand average's time constant in scenario seconds. Default 2: lumps of 100 at 60% of a
   * 1,000-record shard (6 a second) average 600 ± 122, so a refusal needs a 3.3σ excursion, and a brief one refuses
   * nothing (error diffusion refuses only once half a record's worth of share is missing).
   */
  constructor(
    /** Per second, one per dimension; may change (a quota raised mid-run). */
    public limits: readonly number[],
    private readonly horizonSeconds = 2,
  ) {
    this.rates = limits.map(() => 0);
  }

  /** Counts `amounts` as demand at scenario time `now`; true if they are admitted. */
  admit(now: number, amounts: readonly number[]): boolean {
    const dt = this.last === -Infinity ? 0 : Math.max(0, now - this.last);
    this.last = Math.max(this.last, now);
    const decay = Math.exp(-dt / this.horizonSeconds);
    let share = 1;
    for (let i = 0; i < this.limits.length; i++) {
      // Judged at the midpoint of this record's own contribution: the average just after adding a lump is biased high
      // by about gap / (2 × horizon), just before it low by as much (4% for lumps 1/6 s apart over 2 s).
      const before = this.rates[i]! * decay;
      this.rates[i] = before + amounts[i]! / this.horizonSeconds;
      const rate = before + amounts[i]! / (2 * this.horizonSeconds);
      if (rate > this.limits[i]!) share = Math.min(share, this.limits[i]! / rate);
    }
    if (share >= 1) return true;
    this.owed += share;
    if (this.owed < 1) return false;
    this.owed -= 1;
    return true;
  }
}
