/**
 * The per-interval series of a run, stored by column (one Float64Array each) so a week at one-second ticks costs a few
 * MB, not millions of row objects. Each column says how ticks within one row combine.
 */

export const TIMELINE_COLUMNS = {
  offered: 'sum',
  accepted: 'sum',
  rejected: 'sum',
  kinesisThrottled: 'sum',
  dropped: 'sum',
  /** Fresh write demand and capacity, records/s. */
  kinesisDemandRps: 'mean',
  kinesisCapacityRps: 'mean',
  kinesisDemandBps: 'mean',
  kinesisCapacityBps: 'mean',
  shards: 'max',
  hotShards: 'max',
  iteratorAgeMs: 'max',
  lambdaInvocations: 'sum',
  /** DynamoDB write demand (attempted WCU/s), provisioned WCU of the current table, consumed WCU/s. */
  ddbDemandWcu: 'mean',
  ddbCapacityWcu: 'mean',
  ddbConsumedWcu: 'mean',
  ddbThrottled: 'sum',
  firehoseThrottled: 'sum',
  firehoseBufferBytes: 'max',
  s3Objects: 'sum',
  stored: 'sum',
  delivered: 'sum',
} as const satisfies Record<string, 'sum' | 'mean' | 'max'>;

export type TimelineColumn = keyof typeof TIMELINE_COLUMNS;
export const TIMELINE_COLUMN_NAMES = Object.keys(TIMELINE_COLUMNS) as TimelineColumn[];

export class Timeline {
  readonly rows: number;
  readonly columns: Record<TimelineColumn, Float64Array>;
  private readonly ticksInRow: Float64Array;

  constructor(
    durationSeconds: number,
    /** Seconds per row. */
    readonly step: number,
  ) {
    this.rows = Math.max(1, Math.ceil(durationSeconds / step));
    this.columns = Object.fromEntries(TIMELINE_COLUMN_NAMES.map((c) => [c, new Float64Array(this.rows)])) as Record<TimelineColumn, Float64Array>;
    this.ticksInRow = new Float64Array(this.rows);
  }

  /** Row index for time `t`, or -1 past the end (the drain phase is not charted). */
  row(t: number): number {
    const r = Math.floor(t / this.step + 1e-9);
    return r < this.rows ? r : -1;
  }

  /** Adds one tick's value to a column of row `r`, combining as the column says. */
  record(r: number, column: TimelineColumn, value: number): void {
    const col = this.columns[column];
    const kind = TIMELINE_COLUMNS[column];
    if (kind === 'max') {
      if (value > col[r]!) col[r] = value;
    } else {
      col[r] = col[r]! + value;
    }
  }

  /** Counts a tick towards row `r`, for the mean columns. */
  countTick(r: number): void {
    this.ticksInRow[r] = this.ticksInRow[r]! + 1;
  }

  /** Turns the accumulated sums of mean columns into means. Call once at the end. */
  finish(): void {
    for (const name of TIMELINE_COLUMN_NAMES) {
      if (TIMELINE_COLUMNS[name] !== 'mean') continue;
      const col = this.columns[name];
      for (let r = 0; r < this.rows; r++) if (this.ticksInRow[r]! > 0) col[r] = col[r]! / this.ticksInRow[r]!;
    }
  }

  /** Time at the start of row `r`. */
  time(r: number): number {
    return r * this.step;
  }
}
