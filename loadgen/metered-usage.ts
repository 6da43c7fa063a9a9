/**
 * A real run's metered usage, in the simulator's Usage form for its price table: one set of formulas for the whole
 * run's summary (target-summary.ts) and the live cost so far (dashboard/pipeline-run-source.ts), so that the two
 * agree. Counts are in scenario units; what the caller did not meter is left out (null), not priced as 0 by guess.
 */
import type { Scenario } from '../scenarios/schema.ts';
import { emptyUsage, firehoseBilledBytes, onDemandBilledBytes, putPayloadUnits, type Usage } from '../sim/pricing/usage.ts';

export interface MeteredCounts {
  /** Hours of the scenario covered. */
  readonly hours: number;
  /** API requests sent, first attempts and retries. */
  readonly apiRequests: number;
  /** Records and bytes the gateway let into Kinesis (null: not metered, as on aws). */
  readonly kinesisRecords: number | null;
  readonly kinesisBytes: number | null;
  /** Provisioned streams: shard-hours from the initial count and the autoscaler's actions. */
  readonly shardHours: number;
  /** Lambda invocations, when the processor's batches stand for them (uncompressed, unsampled runs). */
  readonly lambdaRequests?: number;
  /** Provisioned tables: WCU-hours, and how many tables pay the configured RCU. */
  readonly wcuHours: number;
  readonly readTables: number;
  /** On-demand tables: the write units consumed (null: not metered). */
  readonly ddbConsumedWcu: number | null;
  /** Records Firehose took and their mean size in bytes (null: not metered). */
  readonly firehose: { readonly records: number; readonly meanBytes: number } | null;
  /** Objects our Firehose wrote to S3 (null: not metered). */
  readonly s3Objects: number | null;
}

export function meteredUsage(scenario: Pick<Scenario, 'apiGateway' | 'kinesis' | 'lambda' | 'dynamodb'>, c: MeteredCounts): Usage {
  const usage = emptyUsage(c.hours, { apiGateway: scenario.apiGateway.type, kinesis: scenario.kinesis.mode, lambda: scenario.lambda.architecture });
  usage.apiGateway.requests = c.apiRequests;
  const records = c.kinesisRecords;
  const meanRecord = records && c.kinesisBytes !== null ? c.kinesisBytes / records : 0;
  if (scenario.kinesis.mode === 'provisioned') {
    usage.kinesis.shardHours = c.shardHours;
    if (records !== null) usage.kinesis.putPayloadUnits = records * putPayloadUnits(meanRecord);
  } else {
    usage.kinesis.streamHours = c.hours;
    if (records !== null && c.kinesisBytes !== null) {
      usage.kinesis.onDemandIngestBytesBilled = records * onDemandBilledBytes(meanRecord);
      usage.kinesis.onDemandRetrievalBytes = c.kinesisBytes;
    }
  }
  if (c.lambdaRequests !== undefined) usage.lambda.requests = c.lambdaRequests;
  if (scenario.dynamodb.mode === 'provisioned') {
    usage.dynamodb.writeCapacityUnitHours = c.wcuHours;
    usage.dynamodb.readCapacityUnitHours = scenario.dynamodb.readCapacity * c.readTables * c.hours;
  } else if (c.ddbConsumedWcu !== null) {
    usage.dynamodb.writeRequestUnits = c.ddbConsumedWcu;
  }
  if (c.firehose) usage.firehose.ingestBytesBilled = c.firehose.records * firehoseBilledBytes(c.firehose.meanBytes);
  if (c.s3Objects !== null) usage.s3.putRequests = c.s3Objects;
  return usage;
}
