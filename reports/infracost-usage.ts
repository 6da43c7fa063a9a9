/**
 * The run's usage as an Infracost usage file (`version: 0.1`, `resource_usage:`), so a team that estimates cost from
 * Terraform can take usage from a measured or simulated run instead of guessing it (emulators-and-peers.md §7,
 * infracost discussion #985). Quantities come from the billed lines of summary.json, scaled to a month:
 * run usage × 730 h / run hours. Resource addresses are placeholders (`aws_kinesis_stream.ingest`, …): rename them to
 * your Terraform addresses. Capacity that Terraform itself declares (shard_count, write_capacity, instance counts)
 * has no usage key; the measured means are written as comments beside the resource.
 */
import type { Summary } from '../sim/summary.ts';

export interface InfracostUsageOptions {
  /** Resource name suffix of the placeholders, e.g. `ingest` → `aws_kinesis_stream.ingest`. */
  names?: Partial<Record<'api' | 'stream' | 'processor' | 'table' | 'firehose' | 'lb', string>>;
}

const HOURS_PER_MONTH = 730;

/** Sum of a summary's billed quantities for one item (in the price table's unit). */
function quantity(s: Summary, service: string, item: string): number {
  return s.cost.lines.filter((l) => l.service === service && l.item === item).reduce((a, l) => a + l.quantity, 0);
}

/** A YAML number: integers plainly, others to 6 significant digits (no exponent). */
function yamlNumber(x: number, integer = false): string {
  if (integer) return String(Math.round(x));
  const v = Number(x.toPrecision(6));
  return Math.abs(v) < 1e-6 ? '0' : String(v);
}

export function infracostUsage(s: Summary, options: InfracostUsageOptions = {}): string {
  const name = { api: 'ingest', stream: 'ingest', processor: 'processor', table: 'events', firehose: 'raw', lb: 'ingest', ...options.names };
  const runHours = s.durationSeconds / 3600;
  const f = runHours > 0 ? HOURS_PER_MONTH / runHours : 0;
  const out: string[] = [];
  out.push(`# Infracost usage file written by ingestlab from the run "${s.scenario}" (${s.target}, seed ${s.seed}, ${s.region}).`);
  out.push(`# Monthly figures = the run's usage × ${HOURS_PER_MONTH} h / ${yamlNumber(runHours)} h simulated (× ${yamlNumber(f)}).`);
  out.push('# Resource addresses are placeholders: rename them to the addresses in your Terraform (see docs/reports.md).');
  out.push('# Use: infracost breakdown --path . --usage-file infracost-usage.yml');
  out.push('version: 0.1');
  out.push('resource_usage:');
  const resource = (address: string, comments: string[], keys: [string, string][]) => {
    out.push(`  ${address}:`);
    for (const c of comments) out.push(`    # ${c}`);
    if (keys.length === 0) out.push('    {}');
    for (const [k, v] of keys) out.push(`    ${k}: ${v}`);
  };

  const e = s.events;
  const meanEventBytes = s.events.delivered > 0 ? s.firehose.bytes / s.events.delivered : 0;
  if (s.apiGateway.type === 'alb') {
    const perSecond = s.durationSeconds > 0 ? s.apiGateway.requests / s.durationSeconds : 0;
    resource(
      `aws_lb.${name.lb}`,
      [
        `measured ${yamlNumber(quantity(s, 'elb', 'alb-lcu-hours') / Math.max(runHours, 1e-9))} LCU on average; new connections assume one request per connection unless the scenario set keep-alive`,
        `the fleet behind it: ${yamlNumber(s.apiGateway.fleetRequestsPerSecond ?? 0)} requests/s of capacity (instance count comes from your Terraform)`,
      ],
      [
        ['new_connections', yamlNumber(perSecond, true)],
        ['processed_bytes_gb', yamlNumber(((e.accepted * meanEventBytes) / 2 ** 30) * f)],
      ],
    );
  } else {
    const requests = quantity(s, 'apiGateway', s.apiGateway.type === 'rest' ? 'rest-requests' : 'http-requests') * 1e6;
    if (s.apiGateway.type === 'rest') resource(`aws_api_gateway_rest_api.${name.api}`, [], [['monthly_requests', yamlNumber(requests * f, true)]]);
    else {
      const keys: [string, string][] = [['monthly_requests', yamlNumber(requests * f, true)]];
      if (s.apiGateway.requests > 0 && meanEventBytes > 0) keys.push(['request_size_kb', yamlNumber(Math.max(1, Math.ceil((e.accepted * meanEventBytes) / s.apiGateway.requests / 1024)), true)]);
      resource(`aws_apigatewayv2_api.${name.api}`, [], keys);
    }
  }

  const k = s.kinesis;
  if (k.mode === 'provisioned') {
    resource(
      `aws_kinesis_stream.${name.stream}`,
      [`shard_count comes from Terraform; this run averaged ${yamlNumber(runHours > 0 ? k.shardHours / runHours : 0)} shards (${k.shardsInitial} → max ${k.shardsMax})`],
      [['monthly_provisioned_put_units', yamlNumber(quantity(s, 'kinesis', 'put-payload-units') * 1e6 * f, true)]],
    );
  } else {
    resource(
      `aws_kinesis_stream.${name.stream}`,
      ['on-demand: data in is billed with each record rounded up to 1 KB (already applied here)'],
      [
        ['monthly_on_demand_data_in_gb', yamlNumber(quantity(s, 'kinesis', 'on-demand-data-in') * f)],
        ['monthly_on_demand_data_out_gb', yamlNumber(quantity(s, 'kinesis', 'on-demand-data-out') * f)],
      ],
    );
  }

  if (s.processor?.type === 'kcl') {
    out.push(`  # The processor is a KCL consumer on ${s.processor.instances} instances: priced by your Terraform aws_instance / autoscaling group, no usage key.`);
  } else {
    const requests = quantity(s, 'lambda', 'requests') * 1e6;
    const memoryGb = (s.lambda.memoryMb ?? 0) / 1024;
    const keys: [string, string][] = [['monthly_requests', yamlNumber(requests * f, true)]];
    if (memoryGb > 0 && s.lambda.invocations > 0) keys.push(['request_duration_ms', yamlNumber((s.lambda.gbSeconds / memoryGb / s.lambda.invocations) * 1000, true)]);
    resource(`aws_lambda_function.${name.processor}`, memoryGb > 0 ? [`mean duration at ${s.lambda.memoryMb} MB`] : ['memory size not in summary.json: request_duration_ms left out'], keys);
  }

  if (s.dynamodb.mode === 'on-demand') {
    resource(
      `aws_dynamodb_table.${name.table}`,
      [`${s.dynamodb.tables} table(s) in the run (one per period); usage is their total`],
      [
        ['monthly_write_request_units', yamlNumber(quantity(s, 'dynamodb', 'write-request-units') * 1e6 * f, true)],
        ['monthly_read_request_units', yamlNumber(quantity(s, 'dynamodb', 'read-request-units') * 1e6 * f, true)],
      ],
    );
  } else {
    const wcuHours = quantity(s, 'dynamodb', 'write-capacity-unit-hours');
    resource(
      `aws_dynamodb_table.${name.table}`,
      [
        `provisioned: write_capacity comes from Terraform; this run averaged ${yamlNumber(runHours > 0 ? wcuHours / runHours : 0)} WCU over ${s.dynamodb.tables} table(s), peak ${yamlNumber(s.dynamodb.writeCapacityMax)} WCU`,
      ],
      [],
    );
  }

  resource(
    `aws_kinesis_firehose_delivery_stream.${name.firehose}`,
    ['each record billed rounded up to 5 KB (already applied here)'],
    [['monthly_data_ingested_gb', yamlNumber(quantity(s, 'firehose', 'ingestion') * f)]],
  );
  return out.join('\n') + '\n';
}
