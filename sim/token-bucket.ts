/**
 * A fluid token bucket: `rate` tokens/s refill continuously into a bucket of `burst` tokens. Over a tick of dt seconds
 * at most tokens + rate·dt can pass; what is not used is kept up to `burst`. This is the rule API Gateway's throttles
 * follow (§6) and, with other parameters, DynamoDB's burst credits (§3.2).
 */
export class TokenBucket {
  tokens: number;

  constructor(
    public rate: number,
    public burst: number,
  ) {
    this.tokens = burst;
  }

  /** Takes up to `demand` tokens for a tick of `dt` seconds and returns how many it took. */
  take(demand: number, dt: number): number {
    const available = this.tokens + this.rate * dt;
    const taken = demand < available ? demand : available;
    const left = available - taken;
    this.tokens = left < this.burst ? left : this.burst;
    return taken;
  }
}
