/**
 * The ingest API's counters, and their Prometheus text exposition (format 0.0.4): a handful of counters, written by
 * hand rather than pulling in a client library.
 */
export interface IngestCounters {
  /** Requests answered, by HTTP status. */
  requestsByStatus: Map<number, number>;
  /** Events acknowledged with 202 (the design's "accepted"). */
  eventsAccepted: number;
  /** Events of requests refused with 429 for the tenant's events/s (the design's "throttled"), never sent to Kinesis. */
  eventsThrottled: number;
  /** Events given up after the last PutRecords retry, one by one: never in Kinesis (their request failed 503). */
  eventsDropped: number;
  /** Events Kinesis took from requests that then failed 503 because others were dropped: in the stream (they are
   * stored) but never acknowledged ("put but unacknowledged"). */
  eventsUnacknowledgedInKinesis: number;
  /** PutRecords record attempts that were retries. */
  putRetries: number;
}

export function newIngestCounters(): IngestCounters {
  return { requestsByStatus: new Map(), eventsAccepted: 0, eventsThrottled: 0, eventsDropped: 0, eventsUnacknowledgedInKinesis: 0, putRetries: 0 };
}

export function countersToJson(c: IngestCounters): Record<string, unknown> {
  return {
    requestsByStatus: Object.fromEntries([...c.requestsByStatus].sort(([a], [b]) => a - b)),
    eventsAccepted: c.eventsAccepted,
    eventsThrottled: c.eventsThrottled,
    eventsDropped: c.eventsDropped,
    eventsUnacknowledgedInKinesis: c.eventsUnacknowledgedInKinesis,
    putRetries: c.putRetries,
  };
}

export function prometheusText(c: IngestCounters): string {
  const lines: string[] = [];
  const counter = (name: string, help: string, samples: Array<[string, number]>) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
    for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
  };
  counter(
    'ingestlab_requests_total',
    'Ingest API requests answered, by HTTP status.',
    [...c.requestsByStatus].sort(([a], [b]) => a - b).map(([status, n]) => [`{status="${status}"}`, n]),
  );
  counter('ingestlab_events_accepted_total', 'Events acknowledged with 202 once Kinesis took them.', [['', c.eventsAccepted]]);
  counter('ingestlab_events_throttled_total', "Events of requests refused with 429 over the tenant's events/s (never sent to Kinesis).", [['', c.eventsThrottled]]);
  counter('ingestlab_events_dropped_total', 'Events given up after the last PutRecords retry, never in Kinesis (their request answered 503).', [['', c.eventsDropped]]);
  counter('ingestlab_events_unacknowledged_in_kinesis_total', 'Events Kinesis took from requests that failed 503 (put but unacknowledged: they are stored).', [['', c.eventsUnacknowledgedInKinesis]]);
  counter('ingestlab_put_retries_total', 'PutRecords record attempts that were retries.', [['', c.putRetries]]);
  return lines.join('\n') + '\n';
}
