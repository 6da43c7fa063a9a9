/**
 * Partition keys by the scenario's `kinesis.partitionKey` strategy (sim/kinesis.ts): `tenant` keeps a tenant on one
 * shard (hot tenants make hot shards), `tenant-timestamp` (the seed's choice) spreads a tenant over shards by
 * event-time second, `random` spreads every event.
 */
import { randomUUID } from 'node:crypto';
import type { KinesisConfig } from '../../sim/kinesis.ts';
import type { PipelineEvent } from './events.ts';

export type PartitionKeyStrategy = KinesisConfig['partitionKey'];

export function partitionKeyOf(strategy: PartitionKeyStrategy, event: PipelineEvent): string {
  switch (strategy) {
    case 'tenant':
      return event.tenant;
    case 'tenant-timestamp':
      return `${event.tenant}:${Math.floor(event.timestamp / 1000)}`;
    case 'random':
      return randomUUID();
  }
}
