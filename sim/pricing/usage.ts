/**
 * What a run consumed, in each service's billing units, as the simulator fills it in; `priceUsage` turns it into
 * money. Quantities are totals over the run (not rates), and byte counts are already rounded the way AWS bills them,
 * using the per-record helpers below (aws-reference.md §8.7: the rounding differs at every hop).
 *
 * KB/GB convention: 1 KB = 1,024 bytes and 1 GB = 2^30 bytes throughout. AWS states the Firehose increment as
 * 5 KB = 5,120 bytes (§5) and DynamoDB's 1 KB item unit is 1,024 bytes, so the binary reading is used everywhere for
 * consistency, including the GB that per-GB prices are quoted in (AWS bills data volumes in 2^30-byte GB).
 */

export interface Usage {
  /** Run length in hours. */
  hours: number;
  apiGateway: { type: 'rest' | 'http' | 'alb'; requests: number };
  /** The load balancer and its fleet, when apiGateway.type is `alb`. */
  alb: { hours: number; lcuHours: number; instanceHours: number };
  /** The KCL consumer's fleet, when the processor is `kcl`. */
  kcl: { instanceHours: number };
  kinesis: {
    mode: 'provisioned' | 'on-demand';
    shardHours: number;
    putPayloadUnits: number;
    streamHours: number;
    /** Sum over records of `onDemandBilledBytes(size)`. */
    onDemandIngestBytesBilled: number;
    /** Bytes read by shared-throughput consumers (the Lambda ESM); billed as on-demand data out. */
    onDemandRetrievalBytes: number;
  };
  lambda: { architecture: 'x86_64' | 'arm64'; requests: number; gbSeconds: number };
  dynamodb: {
    writeCapacityUnitHours: number;
    readCapacityUnitHours: number;
    writeRequestUnits: number;
    readRequestUnits: number;
    storageGbMonths: number;
  };
  /** Already rounded up to 5 KB per record by the simulator. */
  firehose: { ingestBytesBilled: number };
  /** `getRequests`: Drill's reads of the Firehose objects (the query server, sim/query.ts). */
  s3: { putRequests: number; storageGbMonths: number; getRequests: number };
}

/** A Usage with nothing consumed, for the simulator to accumulate into. */
export function emptyUsage(
  hours: number,
  modes: {
    apiGateway?: Usage['apiGateway']['type'];
    kinesis?: Usage['kinesis']['mode'];
    lambda?: Usage['lambda']['architecture'];
  } = {},
): Usage {
  return {
    hours,
    apiGateway: { type: modes.apiGateway ?? 'rest', requests: 0 },
    alb: { hours: 0, lcuHours: 0, instanceHours: 0 },
    kcl: { instanceHours: 0 },
    kinesis: {
      mode: modes.kinesis ?? 'provisioned',
      shardHours: 0,
      putPayloadUnits: 0,
      streamHours: 0,
      onDemandIngestBytesBilled: 0,
      onDemandRetrievalBytes: 0,
    },
    lambda: { architecture: modes.lambda ?? 'x86_64', requests: 0, gbSeconds: 0 },
    dynamodb: {
      writeCapacityUnitHours: 0,
      readCapacityUnitHours: 0,
      writeRequestUnits: 0,
      readRequestUnits: 0,
      storageGbMonths: 0,
    },
    firehose: { ingestBytesBilled: 0 },
    s3: { putRequests: 0, storageGbMonths: 0, getRequests: 0 },
  };
}

export const BYTES_PER_KB = 1_024;
/** The GB that per-GB prices are quoted in: 2^30 bytes (see the file comment). */
export const BYTES_PER_GB = 2 ** 30;

/**
 * Kinesis PUT payload unit: "each 25 KB chunk" of a record (§1.6). Assumed 25 × 1,024 = 25,600 bytes. With
 * 1 KB = 1,000 the unit would be 25,000 bytes; the two readings differ only for records in 25,000–25,600 bytes (and
 * their multiples), by one PPU. AWS's examples (5 KB → 1, 45 KB → 2, 1 MB → 40) fit both when 1 MB = 1,000 KB.
 */
export const PUT_PAYLOAD_UNIT_BYTES = 25 * BYTES_PER_KB;
/** Firehose bills each record rounded up to the next 5 KB = 5,120 bytes (§5, stated in bytes by AWS). */
export const FIREHOSE_INCREMENT_BYTES = 5 * BYTES_PER_KB;
/** Kinesis on-demand data-in rounds each record up to 1 KB (§1.6). */
export const ON_DEMAND_INCREMENT_BYTES = BYTES_PER_KB;
/** DynamoDB: a write unit covers 1 KB of item, a read unit 4 KB (§3.1). */
export const DYNAMODB_WRITE_UNIT_BYTES = BYTES_PER_KB;
export const DYNAMODB_READ_UNIT_BYTES = 4 * BYTES_PER_KB;

/**
 * `ceil(bytes / unit)` with a floor of one unit: every service bills a record or item of any size, even an empty one,
 * at least one unit ("rounded up"; a read of a missing item still costs, §3.1).
 */
function unitsFor(bytes: number, unitBytes: number, what: string): number {
  if (!Number.isFinite(bytes) || bytes < 0) throw new RangeError(`${what}: record size must be a finite number ≥ 0, got ${bytes}`);
  return Math.max(1, Math.ceil(bytes / unitBytes));
}

/** PUT payload units one Kinesis record of `recordBytes` (data blob + partition key) costs in provisioned mode. */
export function putPayloadUnits(recordBytes: number): number {
  return unitsFor(recordBytes, PUT_PAYLOAD_UNIT_BYTES, 'putPayloadUnits');
}

/** Bytes Firehose bills for one record: rounded up to a multiple of 5,120. */
export function firehoseBilledBytes(recordBytes: number): number {
  return unitsFor(recordBytes, FIREHOSE_INCREMENT_BYTES, 'firehoseBilledBytes') * FIREHOSE_INCREMENT_BYTES;
}

/** Bytes Kinesis on-demand bills as data in for one record: rounded up to a multiple of 1,024. */
export function onDemandBilledBytes(recordBytes: number): number {
  return unitsFor(recordBytes, ON_DEMAND_INCREMENT_BYTES, 'onDemandBilledBytes') * ON_DEMAND_INCREMENT_BYTES;
}

/** WCU (provisioned) or WRU (on-demand) one standard write of an item of `itemBytes` consumes. Transactional = 2×. */
export function dynamoWriteUnits(itemBytes: number): number {
  return unitsFor(itemBytes, DYNAMODB_WRITE_UNIT_BYTES, 'dynamoWriteUnits');
}

/** RCU/RRU one read of `itemBytes` consumes: per 4 KB, half for eventually consistent reads (§3.1). */
export function dynamoReadUnits(itemBytes: number, consistency: 'strong' | 'eventual' = 'strong'): number {
  const units = unitsFor(itemBytes, DYNAMODB_READ_UNIT_BYTES, 'dynamoReadUnits');
  return consistency === 'eventual' ? units / 2 : units;
}
