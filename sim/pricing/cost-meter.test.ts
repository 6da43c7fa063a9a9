// Expected values are written as the arithmetic from aws-reference.md prices, never copied from the code's output.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.ts';
import { mergePriceTables, parsePriceEntries, perMillionEvents, priceUsage } from './cost-meter.ts';
import type { CostReport } from './cost-meter.ts';
import { PRICE_TABLE } from './price-table.ts';
import type { PriceEntry } from './price-table.ts';
import {
  dynamoReadUnits,
  dynamoWriteUnits,
  emptyUsage,
  firehoseBilledBytes,
  onDemandBilledBytes,
  putPayloadUnits,
} from './usage.ts';
import type { Usage } from './usage.ts';

const GB = 2 ** 30;

function lineUsd(r: CostReport, item: string, service?: string): number {
  const ls = r.lines.filter((l) => l.item === item && (service === undefined || l.service === service));
  expect(ls.length).toBeGreaterThan(0);
  return ls.reduce((a, l) => a + l.usd, 0);
}

describe('billing-unit rounding per record', () => {
  it('Kinesis PUT payload units are 25 KB = 25,600-byte chunks, at least one', () => {
    expect(putPayloadUnits(0)).toBe(1);
    expect(putPayloadUnits(5 * 1024)).toBe(1); // AWS example: 5 KB → 1
    expect(putPayloadUnits(45 * 1024)).toBe(2); // 45 KB → 2
    expect(putPayloadUnits(25 * 1024)).toBe(1);
    expect(putPayloadUnits(25 * 1024 + 1)).toBe(2);
    expect(putPayloadUnits(1000 * 1024)).toBe(40); // "1 MB → 40" with 1 MB = 1,000 KB
    expect(putPayloadUnits(1024 * 1024)).toBe(41); // a full 1 MiB record
  });

  it('Firehose rounds each record up to 5,120 bytes', () => {
    expect(firehoseBilledBytes(1)).toBe(5120);
    expect(firehoseBilledBytes(3 * 1024)).toBe(5 * 1024); // 3 KB bills as 5 KB
    expect(firehoseBilledBytes(12 * 1024)).toBe(15 * 1024); // 12 KB bills as 15 KB
    expect(firehoseBilledBytes(5120)).toBe(5120);
  });

  it('Kinesis on-demand rounds to 1,024 bytes; DynamoDB writes per 1 KB, reads per 4 KB', () => {
    expect(onDemandBilledBytes(1)).toBe(1024);
    expect(onDemandBilledBytes(1025)).toBe(2048);
    expect(dynamoWriteUnits(1024)).toBe(1);
    expect(dynamoWriteUnits(1025)).toBe(2);
    expect(dynamoReadUnits(4097)).toBe(2);
    expect(dynamoReadUnits(4096, 'eventual')).toBe(0.5);
  });

  it('rejects a negative size', () => {
    expect(() => putPayloadUnits(-1)).toThrow(RangeError);
  });
});

describe('priceUsage, us-east-1', () => {
  // One hour of fixed capacity: 4 shards, 100 WCU + 10 RCU, 1M REST requests carrying 1M records of 1 KB,
  // 10,000 Lambda invocations of 1 s at 512 MB, and the same 1M records through Firehose.
  function oneHour(): Usage {
    const u = emptyUsage(1);
    u.apiGateway.requests = 1_000_000;
    u.kinesis.shardHours = 4 * 1;
    u.kinesis.putPayloadUnits = 1_000_000 * putPayloadUnits(1024);
    u.lambda.requests = 10_000;
    u.lambda.gbSeconds = 10_000 * 1 * (512 / 1024);
    u.dynamodb.writeCapacityUnitHours = 100 * 1;
    u.dynamodb.readCapacityUnitHours = 10 * 1;
    u.firehose.ingestBytesBilled = 1_000_000 * firehoseBilledBytes(1024);
    u.s3.putRequests = 60;
    return u;
  }

  it('bills a one-hour fixed-capacity run line by line', () => {
    const r = priceUsage(oneHour(), { region: 'us-east-1' });
    const api = 1 * 3.5;
    const kinesis = 4 * 0.015 + 1 * 0.014;
    const lambda = 5_000 * 0.0000166667 + 0.01 * 0.2;
    const dynamodb = 100 * 0.00065 + 10 * 0.00013;
    // 1M records × 5,120 B = 5.12e9 bytes = 5.12e9 / 2^30 GB (GB = 2^30 bytes).
    const firehose = (5.12e9 / 2 ** 30) * 0.029;
    const s3 = (60 / 1000) * 0.005;

    expect(lineUsd(r, 'rest-requests')).toBeCloseTo(api, 12);
    expect(lineUsd(r, 'shard-hours')).toBeCloseTo(4 * 0.015, 12);
    expect(lineUsd(r, 'put-payload-units')).toBeCloseTo(0.014, 12);
    expect(lineUsd(r, 'requests', 'lambda')).toBeCloseTo(0.002, 12);
    expect(lineUsd(r, 'duration-x86_64')).toBeCloseTo(5_000 * 0.0000166667, 12);
    expect(lineUsd(r, 'write-capacity-unit-hours')).toBeCloseTo(100 * 0.00065, 12);
    expect(lineUsd(r, 'read-capacity-unit-hours')).toBeCloseTo(10 * 0.00013, 12);
    expect(lineUsd(r, 'ingestion')).toBeCloseTo(firehose, 12);

    expect(r.byService.apiGateway).toBeCloseTo(api, 12);
    expect(r.byService.kinesis).toBeCloseTo(kinesis, 12);
    expect(r.byService.lambda).toBeCloseTo(lambda, 12);
    expect(r.byService.dynamodb).toBeCloseTo(dynamodb, 12);
    expect(r.byService.firehose).toBeCloseTo(firehose, 12);
    expect(r.byService.s3).toBeCloseTo(s3, 12);
    expect(r.totalUsd).toBeCloseTo(api + kinesis + lambda + dynamodb + firehose + s3, 12);
  });

  it('reports each line with quantity, unit, unit price, source, date and confidence', () => {
    const r = priceUsage(oneHour(), { region: 'us-east-1' });
    const fh = r.lines.find((l) => l.item === 'ingestion');
    expect(fh).toMatchObject({
      service: 'firehose',
      unit: 'GB',
      unitPriceUsd: 0.029,
      asOf: '2026-11',
      confidence: '3rd-party',
    });
    expect(fh?.quantity).toBeCloseTo(5.12e9 / 2 ** 30, 12);
    const shards = r.lines.find((l) => l.item === 'shard-hours');
    expect(shards).toMatchObject({ quantity: 4, unit: 'shard-hour', unitPriceUsd: 0.015, confidence: 'price-db' });
    expect(shards?.source).toContain('kinesis_stream_test.golden');
    // Zero quantities make no lines and need no price.
    expect(r.lines.some((l) => l.item === 'write-request-units')).toBe(false);
  });

  it('splits REST requests across tiers: 400M = 333M at $3.50 + 67M at $2.80', () => {
    const u = emptyUsage(1);
    u.apiGateway.requests = 400_000_000;
    const r = priceUsage(u, { region: 'us-east-1' });
    expect(r.byService.apiGateway).toBeCloseTo(333 * 3.5 + 67 * 2.8, 9);
    const tiers = r.lines.filter((l) => l.item === 'rest-requests');
    expect(tiers.map((l) => [l.tier, l.quantity, l.unitPriceUsd])).toEqual([
      ['first 333M requests', 333, 3.5],
      ['next 667M requests', 67, 2.8],
    ]);
  });

  it('reaches the open-ended top REST tier above 20B requests', () => {
    const u = emptyUsage(1);
    u.apiGateway.requests = 25_000_000_000;
    const r = priceUsage(u, { region: 'us-east-1' });
    expect(r.byService.apiGateway).toBeCloseTo(333 * 3.5 + 667 * 2.8 + 19_000 * 2.38 + 5_000 * 1.51, 6);
  });

  it('prices HTTP APIs at $1.00/M then $0.90/M after 300M', () => {
    const u = emptyUsage(1, { apiGateway: 'http' });
    u.apiGateway.requests = 500_000_000;
    const r = priceUsage(u, { region: 'us-east-1' });
    expect(r.byService.apiGateway).toBeCloseTo(300 * 1.0 + 200 * 0.9, 9);
  });

  it('uses the arm64 duration tiers', () => {
    const u = emptyUsage(1, { lambda: 'arm64' });
    u.lambda.gbSeconds = 8e9;
    const r = priceUsage(u, { region: 'us-east-1' });
    expect(r.byService.lambda).toBeCloseTo(7.5e9 * 0.0000133334 + 0.5e9 * 0.0000120001, 6);
  });

  it('bills Kinesis on-demand by stream-hour and GB in/out', () => {
    const u = emptyUsage(2, { kinesis: 'on-demand' });
    u.kinesis.streamHours = 2;
    u.kinesis.onDemandIngestBytesBilled = 1_000_000 * onDemandBilledBytes(100); // 1M records of 100 B bill 1 KB each
    u.kinesis.onDemandRetrievalBytes = 3 * GB;
    const r = priceUsage(u, { region: 'us-east-1' });
    expect(r.byService.kinesis).toBeCloseTo(2 * 0.04 + ((1_000_000 * 1024) / 2 ** 30) * 0.08 + 3 * 0.04, 12);
  });

  it('refuses Firehose usage beyond the last sourced tier (500 TB = 512,000 GB)', () => {
    const u = emptyUsage(1);
    u.firehose.ingestBytesBilled = 512_001 * GB;
    expect(() => priceUsage(u, { region: 'us-east-1' })).toThrow(/firehose ingestion in us-east-1 above 512000 GB/);
  });
});

describe('tier labels carry their unit (issue 9 #11)', () => {
  it('7e9 Lambda GB-s: "first 6B GB-seconds" then "next 9B GB-seconds"; REST requests: "first 333M requests"', () => {
    const u = emptyUsage(1);
    u.lambda.gbSeconds = 7e9;
    u.apiGateway.requests = 1e6;
    const tiers = priceUsage(u, { region: 'us-east-1' }).lines.map((l) => l.tier);
    expect(tiers).toContain('first 6B GB-seconds');
    expect(tiers).toContain('next 9B GB-seconds');
    expect(tiers).toContain('first 333M requests');
  });
});

describe('DynamoDB on-demand price history', () => {
  const u = emptyUsage(1);
  u.dynamodb.writeRequestUnits = 2_000_000;
  u.dynamodb.readRequestUnits = 4_000_000;

  it('uses $1.25/M WRU and $0.25/M RRU before 2024-11-01', () => {
    const r = priceUsage(u, { region: 'us-east-1', priceDate: '2024-10-31' });
    expect(r.byService.dynamodb).toBeCloseTo(2 * 1.25 + 4 * 0.25, 12);
    expect(r.priceDate).toBe('2024-10-31');
  });

  it('uses $0.625/M WRU and $0.125/M RRU from 2024-11-01', () => {
    const r = priceUsage(u, { region: 'us-east-1', priceDate: '2024-11-01' });
    expect(r.byService.dynamodb).toBeCloseTo(2 * 0.625 + 4 * 0.125, 12);
    expect(r.lines.every((l) => l.confidence === '3rd-party')).toBe(true);
  });

  it('defaults to the newest list price', () => {
    const r = priceUsage(u, { region: 'us-east-1' });
    expect(r.byService.dynamodb).toBeCloseTo(2 * 0.625 + 4 * 0.125, 12);
    expect(r.priceDate).toBeNull();
  });

  it('rejects a malformed price date', () => {
    expect(() => priceUsage(u, { region: 'us-east-1', priceDate: '1 Nov 2024' })).toThrow(UsageError);
  });

  it('rejects a date that is not a calendar day: 2020-13-45 and 2023-02-29 (2023 is not a leap year); 2024-02-29 is one', () => {
    expect(() => priceUsage(u, { region: 'us-east-1', priceDate: '2020-13-45' })).toThrow('price date must be a real day as YYYY-MM-DD (e.g. 2024-11-01), got "2020-13-45"');
    expect(() => priceUsage(u, { region: 'us-east-1', priceDate: '2023-02-29' })).toThrow(UsageError);
    expect(priceUsage(u, { region: 'us-east-1', priceDate: '2024-02-29' }).priceDate).toBe('2024-02-29');
  });

  it('rejects a date before the oldest source behind the table (2017-12-19): 2017-12-18 fails, 2017-12-19 prices', () => {
    expect(() => priceUsage(u, { region: 'us-east-1', priceDate: '2017-12-18' })).toThrow(
      'no price is known before 2017-12-19 (the oldest source behind the price table, docs/sources.md), got price date 2017-12-18',
    );
    expect(priceUsage(u, { region: 'us-east-1', priceDate: '2017-12-19' }).byService.dynamodb).toBeCloseTo(2 * 1.25 + 4 * 0.25, 12);
  });
});

describe('regions', () => {
  it('fails clearly instead of using another region’s price', () => {
    const u = emptyUsage(1);
    u.lambda.requests = 1_000;
    expect(() => priceUsage(u, { region: 'eu-west-2' })).toThrow(UsageError);
    expect(() => priceUsage(u, { region: 'eu-west-2' })).toThrow(
      'no price for lambda requests in eu-west-2; add one with --prices FILE',
    );
  });

  it('prices Firehose in eu-west-2 at its own $0.035/GB', () => {
    const u = emptyUsage(1);
    u.firehose.ingestBytesBilled = 10 * GB;
    const r = priceUsage(u, { region: 'eu-west-2' });
    expect(r.totalUsd).toBeCloseTo(10 * 0.035, 12);
  });

  it('us-east-2 has the rows the source states equal to us-east-1, and marks them', () => {
    const u = emptyUsage(1);
    u.kinesis.shardHours = 4;
    u.dynamodb.writeCapacityUnitHours = 100;
    u.dynamodb.readCapacityUnitHours = 10;
    const r = priceUsage(u, { region: 'us-east-2' });
    expect(r.totalUsd).toBeCloseTo(4 * 0.015 + 100 * 0.00065 + 10 * 0.00013, 12);
    expect(r.lines.every((l) => l.sameAsRegion === 'us-east-1')).toBe(true);
    // Stated equal by the source: the source's confidence is kept.
    expect(r.lines.map((l) => l.confidence)).toEqual(['price-db', 'price-db', 'price-db']);
  });

  it('us-east-2 prices the rest as assumed equal to us-east-1, marked UNCONFIRMED', () => {
    const u = emptyUsage(1);
    u.apiGateway.requests = 1_000_000;
    u.lambda.requests = 1_000_000;
    const r = priceUsage(u, { region: 'us-east-2' });
    expect(r.totalUsd).toBeCloseTo(3.5 + 0.2, 12);
    for (const l of r.lines) {
      expect(l.confidence, l.item).toBe('UNCONFIRMED');
      expect(l.sameAsRegion, l.item).toBe('us-east-1');
    }
  });

  it('us-east-2 on-demand DynamoDB has only the pre-cut price, so "newest" fails and an old date works', () => {
    const u = emptyUsage(1);
    u.dynamodb.writeRequestUnits = 1_000_000;
    expect(() => priceUsage(u, { region: 'us-east-2' })).toThrow(/no current price for dynamodb write-request-units in us-east-2/);
    const r = priceUsage(u, { region: 'us-east-2', priceDate: '2024-06-01' });
    expect(r.totalUsd).toBeCloseTo(1 * 1.25, 12);
  });
});

describe('mergePriceTables', () => {
  const override: PriceEntry = {
    region: 'us-east-1',
    service: 'kinesis',
    item: 'shard-hours',
    unit: 'shard-hour',
    usd: 0.02,
    asOf: '2027-01',
    source: 'user file',
    confidence: 'UNCONFIRMED',
  };

  it('replaces one price and leaves the others', () => {
    const table = mergePriceTables(PRICE_TABLE, [override]);
    const u = emptyUsage(1);
    u.kinesis.shardHours = 4;
    u.dynamodb.writeCapacityUnitHours = 100;
    const r = priceUsage(u, { region: 'us-east-1', table });
    expect(lineUsd(r, 'shard-hours')).toBeCloseTo(4 * 0.02, 12);
    expect(lineUsd(r, 'write-capacity-unit-hours')).toBeCloseTo(100 * 0.00065, 12);
    expect(r.lines.find((l) => l.item === 'shard-hours')?.source).toBe('user file');
    expect(table.length).toBe(PRICE_TABLE.length);
  });

  it('an override replaces the whole dated history of its item', () => {
    const wru: PriceEntry = { ...override, service: 'dynamodb', item: 'write-request-units', unit: '1M WRU', usd: 1.0 };
    const table = mergePriceTables(PRICE_TABLE, [wru]);
    const u = emptyUsage(1);
    u.dynamodb.writeRequestUnits = 3_000_000;
    expect(priceUsage(u, { region: 'us-east-1', table, priceDate: '2020-01-01' }).totalUsd).toBeCloseTo(3 * 1.0, 12);
    expect(priceUsage(u, { region: 'us-east-1', table }).totalUsd).toBeCloseTo(3 * 1.0, 12);
  });

  it('adds a region the table lacks', () => {
    const table = mergePriceTables(PRICE_TABLE, [{ ...override, region: 'eu-west-2', usd: 0.0175 }]);
    const u = emptyUsage(1);
    u.kinesis.shardHours = 10;
    expect(priceUsage(u, { region: 'eu-west-2', table }).totalUsd).toBeCloseTo(10 * 0.0175, 12);
  });

  it('refuses an override quoted in a different unit than the meter needs', () => {
    const table = mergePriceTables(PRICE_TABLE, [
      { ...override, service: 'apiGateway', item: 'rest-requests', unit: 'request', usd: 0.0000035 },
    ]);
    const u = emptyUsage(1);
    u.apiGateway.requests = 10;
    expect(() => priceUsage(u, { region: 'us-east-1', table })).toThrow(/per "request"; the meter needs it per "1M requests"/);
  });
});

describe('parsePriceEntries', () => {
  it('accepts a valid entry list and reports every bad field', () => {
    const good = [{ region: 'eu-west-2', service: 'lambda', item: 'requests', unit: '1M requests', usd: 0.2, asOf: '2027-01', source: 'me', confidence: 'UNCONFIRMED' }];
    expect(parsePriceEntries(good, 'p.yaml')).toHaveLength(1);
    const bad = [{ ...good[0], usd: 'cheap', confidence: 'sure' }];
    expect(() => parsePriceEntries(bad, 'p.yaml')).toThrow(/p\.yaml: 0\.usd:[\s\S]*p\.yaml: 0\.confidence:/);
  });
});

describe('perMillionEvents', () => {
  it('divides by accepted events in millions', () => {
    expect(perMillionEvents(2, 4_000_000)).toBeCloseTo(2 / 4, 12);
    expect(perMillionEvents(1, 0)).toBeNull();
  });
});

describe('PRICE_TABLE integrity', () => {
  it('every entry names a source, a date and a confidence', () => {
    for (const e of PRICE_TABLE) {
      expect(e.source.length, `${e.region} ${e.service} ${e.item}`).toBeGreaterThan(0);
      expect(e.asOf).toMatch(/^\d{4}-\d{2}(-\d{2})?$/);
      expect(['AWS-doc', 'price-db', '3rd-party', 'UNCONFIRMED']).toContain(e.confidence);
      if (e.tiers !== undefined) expect(e.tiers[0]?.usd).toBe(e.usd);
    }
  });

  it('no two entries for the same item overlap in time', () => {
    const seen = new Map<string, PriceEntry[]>();
    for (const e of PRICE_TABLE) {
      const k = `${e.region}/${e.service}/${e.item}`;
      for (const o of seen.get(k) ?? []) {
        const disjoint =
          (e.effectiveUntil !== undefined && o.effectiveFrom !== undefined && e.effectiveUntil <= o.effectiveFrom) ||
          (o.effectiveUntil !== undefined && e.effectiveFrom !== undefined && o.effectiveUntil <= e.effectiveFrom);
        expect(disjoint, k).toBe(true);
      }
      seen.set(k, [...(seen.get(k) ?? []), e]);
    }
  });

  it('marks its ALB and EC2 prices UNCONFIRMED, pointing to --prices (the reference gives none)', () => {
    const fleet = PRICE_TABLE.filter((e) => e.region === 'us-east-1' && (/alb|load.?balancer|ec2|instance-hour/i.test(e.item) || e.service === 'elb' || e.service === 'ec2'));
    expect(fleet.map((e) => e.item).sort()).toEqual(['alb-hours', 'alb-lcu-hours', 'api-fleet-instance-hours', 'kcl-fleet-instance-hours']);
    for (const e of fleet) {
      expect(e.confidence, e.item).toBe('UNCONFIRMED');
      expect(e.note, e.item).toMatch(/--prices/);
    }
  });
});
