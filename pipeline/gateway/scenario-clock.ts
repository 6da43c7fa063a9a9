/**
 * Scenario time for the quota gateway (design.md, "One model, two clocks"): seconds since the gateway started, running
 * `timeScale` times faster than the wall clock. Every limit window, metric minute, cool-off and reshard delay is kept in
 * scenario time, so a 40-minute burst can be replayed in two minutes. Tests use the manual clock, which moves only when
 * told to, so limit tests are deterministic and fast.
 */
export interface ScenarioClock {
  /** Scenario seconds since start. */
  now(): number;
  /** Wall seconds per scenario second is 1 / timeScale; timers use it to wait for a scenario time. */
  readonly timeScale: number;
  /**
   * Unix ms that scenario time 0 stands for. CloudWatch timestamps are `epochMs + scenarioSeconds × 1000`, so a reader
   * through the SDK sees minutes that pass `timeScale` times faster than the wall clock.
   */
  readonly epochMs: number;
}

export interface ManualClock extends ScenarioClock {
  set(seconds: number): void;
  advance(seconds: number): void;
}

export interface ScaledClock extends ScenarioClock {
  /**
   * Makes now scenario time 0, so that the scenario starts with its traffic rather than with the setup before it
   * (emulators, streams, tables). Call it before any traffic: minutes and timestamps already recorded keep the old origin.
   */
  restart(): void;
}

/** `scenario time = (wall time − start) × timeScale`. */
export function createScaledClock(options: { timeScale?: number; startMs?: number; wallMs?: () => number } = {}): ScaledClock {
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0) || !Number.isFinite(timeScale)) throw new RangeError(`timeScale must be a positive number, got ${timeScale}`);
  const wallMs = options.wallMs ?? (() => performance.timeOrigin + performance.now());
  let startMs = options.startMs ?? wallMs();
  return {
    timeScale,
    get epochMs() {
      return Math.floor(startMs);
    },
    now: () => ((wallMs() - startMs) / 1000) * timeScale,
    restart() {
      startMs = wallMs();
    },
  };
}

/** A clock that stands still until `set` or `advance`; `timeScale` is what timers assume (default 1). */
export function createManualClock(start = 0, options: { epochMs?: number; timeScale?: number } = {}): ManualClock {
  let t = start;
  return {
    timeScale: options.timeScale ?? 1,
    epochMs: options.epochMs ?? Date.UTC(2026, 0, 5),
    now: () => t,
    set(seconds) {
      if (seconds < t) throw new RangeError(`the scenario clock does not go back: ${seconds} < ${t}`);
      t = seconds;
    },
    advance(seconds) {
      if (!(seconds >= 0)) throw new RangeError(`advance by a non-negative number of seconds, got ${seconds}`);
      t += seconds;
    },
  };
}

/** The Date a scenario time stands for on the clock's CloudWatch axis. */
export function scenarioDate(clock: ScenarioClock, seconds: number): Date {
  return new Date(clock.epochMs + seconds * 1000);
}

/** Scenario seconds of a Date on the clock's CloudWatch axis. */
export function scenarioSeconds(clock: ScenarioClock, date: Date | number): number {
  return ((typeof date === 'number' ? date : date.getTime()) - clock.epochMs) / 1000;
}

/**
 * Waits until the clock reads `seconds` (wall time = the difference / timeScale), or at most `sliceMs`, whichever comes
 * first, so a caller that loops until the time has come also follows a manual clock; resolves at once if it already has.
 */
export function sleepUntil(clock: ScenarioClock, seconds: number, signal?: AbortSignal, sliceMs = 100): Promise<void> {
  const wait = Math.min(sliceMs, ((seconds - clock.now()) / clock.timeScale) * 1000);
  if (!(wait > 0)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, wait);
    signal?.addEventListener('abort', done, { once: true });
  });
}
