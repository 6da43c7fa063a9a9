/**
 * Full-jitter exponential backoff, as the AWS SDK v3 standard retry strategy and the simulator's producer model use it
 * (sim/kinesis.ts `producer:`): the k-th retry waits a uniform random time in [0, min(cap, base · 2^k)).
 */
export interface BackoffConfig {
  /** First step's upper bound, ms. */
  readonly baseMs: number;
  /** Upper bound of any step, ms. */
  readonly maxMs: number;
}

export function fullJitterDelay(attempt: number, config: BackoffConfig): number {
  const ceiling = Math.min(config.maxMs, config.baseMs * 2 ** attempt);
  return Math.random() * ceiling;
}

/** Waits `ms`, or less if `signal` aborts (then resolves early; callers check the signal). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** AWS errors worth retrying: throttles, 5xx, and the network failing under load. Validation errors are not. */
export function isRetryable(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number }; code?: string };
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  if (e.name && /Throttl|ProvisionedThroughputExceeded|LimitExceeded|ServiceUnavailable|InternalFailure|InternalServerError|RequestLimitExceeded|TimeoutError|KMSThrottling/.test(e.name)) return true;
  if (e.code && /ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EAI_AGAIN|ENOTFOUND|ERR_/.test(e.code)) return true;
  return status === undefined; // no HTTP answer at all: a socket error
}

/**
 * Calls `fn` until it succeeds, retrying retryable failures (throttles, 5xx, socket errors) with full-jitter backoff,
 * at most `maxRetries` times; anything else, or the last failure, is thrown. For the single calls around the batch
 * writes (checkpoints, iterators, schema reads, table creation) that a fault must not turn into a restart.
 */
export async function withRetries<T>(fn: () => Promise<T>, options: { maxRetries?: number; signal?: AbortSignal; onRetry?: () => void } & Partial<BackoffConfig> = {}): Promise<T> {
  const max = options.maxRetries ?? 8;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= max || !isRetryable(error) || options.signal?.aborted) throw error;
      options.onRetry?.();
      await sleep(fullJitterDelay(attempt, { baseMs: options.baseMs ?? 50, maxMs: options.maxMs ?? 2_000 }), options.signal);
    }
  }
}
