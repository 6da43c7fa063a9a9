/**
 * A CloudWatch endpoint for the edge (service `monitoring`), over the metrics store. The installed
 * @aws-sdk/client-cloudwatch speaks AWS JSON 1.0 (X-Amz-Target `GraniteServiceVersion20100801.<Operation>`, timestamps
 * as epoch seconds) with awsQueryCompatible error codes, so that is what this answers: GetMetricData (MetricStat
 * queries; no math expressions), GetMetricStatistics, ListMetrics and PutMetricData.
 */
import type { EdgeBackend, EdgeRequest, EdgeResponse } from '../edge/edge-types.ts';
import { jsonResponse } from '../edge/edge-types.ts';
import { aggregate, statistic, type Dimensions, type MetricsStore } from './metrics-store.ts';
import { scenarioDate, scenarioSeconds, type ScenarioClock } from './scenario-clock.ts';

const JSON_10 = 'application/x-amz-json-1.0';

interface WireDimension {
  Name: string;
  Value: string;
}

export function createCloudWatchBackend(store: MetricsStore, clock: ScenarioClock): EdgeBackend {
  return async (req: EdgeRequest): Promise<EdgeResponse> => {
    let body: any;
    try {
      body = req.body.length > 0 ? JSON.parse(req.body.toString('utf8')) : {};
    } catch {
      return queryError(400, 'InvalidParameterValue', 'the request body is not JSON (this endpoint speaks AWS JSON 1.0)');
    }
    switch (req.operation) {
      case 'GetMetricData':
        return getMetricData(store, clock, body);
      case 'GetMetricStatistics':
        return getMetricStatistics(store, clock, body);
      case 'ListMetrics':
        return listMetrics(store, body);
      case 'PutMetricData':
        return putMetricData(store, clock, body);
      default:
        return queryError(400, 'InvalidAction', `operation ${req.operation || '(none)'} is not implemented by ingestlab's CloudWatch`);
    }
  };
}

function getMetricData(store: MetricsStore, clock: ScenarioClock, body: any): EdgeResponse {
  const start = scenarioSeconds(clock, toMs(body.StartTime));
  const end = scenarioSeconds(clock, toMs(body.EndTime));
  const descending = body.ScanBy !== 'TimestampAscending';
  const results: unknown[] = [];
  for (const q of (body.MetricDataQueries ?? []) as any[]) {
    if (q.ReturnData === false) continue;
    if (!q.MetricStat) {
      return queryError(400, 'InvalidParameterValue', `query ${q.Id}: only MetricStat queries are supported (no Expression)`);
    }
    const { Metric, Period, Stat } = q.MetricStat;
    const minutes = store.published(Metric.Namespace, Metric.MetricName, dims(Metric.Dimensions), start, end);
    const points = aggregate(minutes, Period ?? 60).filter((p) => statistic(p, Stat) !== undefined);
    if (descending) points.reverse();
    results.push({
      Id: q.Id,
      Label: q.Label ?? Metric.MetricName,
      Timestamps: points.map((p) => scenarioDate(clock, p.minute).getTime() / 1000),
      Values: points.map((p) => statistic(p, Stat)!),
      StatusCode: 'Complete',
    });
  }
  return jsonResponse(200, { MetricDataResults: results, Messages: [] }, JSON_10);
}

function getMetricStatistics(store: MetricsStore, clock: ScenarioClock, body: any): EdgeResponse {
  const start = scenarioSeconds(clock, toMs(body.StartTime));
  const end = scenarioSeconds(clock, toMs(body.EndTime));
  const minutes = store.published(body.Namespace, body.MetricName, dims(body.Dimensions), start, end);
  const unit = store.unitOf(body.Namespace, body.MetricName, dims(body.Dimensions)) ?? 'None';
  const stats: string[] = body.Statistics ?? [];
  const datapoints = aggregate(minutes, body.Period ?? 60).map((p) => {
    const point: Record<string, unknown> = { Timestamp: scenarioDate(clock, p.minute).getTime() / 1000, Unit: unit };
    for (const s of stats) point[s] = statistic(p, s);
    return point;
  });
  return jsonResponse(200, { Label: body.MetricName, Datapoints: datapoints }, JSON_10);
}

function listMetrics(store: MetricsStore, body: any): EdgeResponse {
  const metrics = store
    .list()
    .filter((m) => (body.Namespace === undefined || m.namespace === body.Namespace) && (body.MetricName === undefined || m.name === body.MetricName))
    .map((m) => ({ Namespace: m.namespace, MetricName: m.name, Dimensions: Object.entries(m.dimensions).map(([Name, Value]) => ({ Name, Value })) }));
  return jsonResponse(200, { Metrics: metrics }, JSON_10);
}

function putMetricData(store: MetricsStore, clock: ScenarioClock, body: any): EdgeResponse {
  for (const d of (body.MetricData ?? []) as any[]) {
    const at = d.Timestamp !== undefined ? scenarioSeconds(clock, toMs(d.Timestamp)) : clock.now();
    const values: number[] = d.Values ?? (d.Value !== undefined ? [d.Value] : []);
    const counts: number[] = d.Counts ?? values.map(() => 1);
    values.forEach((v, i) => {
      for (let c = 0; c < (counts[i] ?? 1); c++) store.add(body.Namespace, d.MetricName, dims(d.Dimensions), v, d.Unit ?? 'None', at);
    });
  }
  return jsonResponse(200, {}, JSON_10);
}

function dims(list: WireDimension[] | undefined): Dimensions {
  const out: Record<string, string> = {};
  for (const d of list ?? []) out[d.Name] = d.Value;
  return out;
}

/** JSON timestamps are epoch seconds (numbers); accept ISO strings too. */
function toMs(value: unknown): number {
  if (typeof value === 'number') return value * 1000;
  if (typeof value === 'string') return Date.parse(value);
  return NaN;
}

/** awsQueryCompatible: the query-protocol code rides in `x-amzn-query-error` so SDKs report the same name. */
function queryError(status: number, code: string, message: string): EdgeResponse {
  const res = jsonResponse(status, { __type: `com.amazonaws.cloudwatch#${code}`, message }, JSON_10);
  res.headers['x-amzn-query-error'] = `${code};Sender`;
  return res;
}
