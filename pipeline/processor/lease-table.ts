/**
 * Checkpoints in a DynamoDB lease table, one item per shard (as the Lambda event-source mapping and the KCL keep
 * them): the sequence number of the last record whose batch was fully written, or SHARD_END once a closed shard has
 * been read to its end. A restarted processor resumes after each checkpoint; what was read but not checkpointed is
 * read again (at-least-once).
 */
import { PutItemCommand, ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createKeyedTable } from '../storage/event-tables.ts';
import { withRetries } from '../storage/backoff.ts';

export const LEASE_TABLE = 'ingestlab_leases';
export const SHARD_END = 'SHARD_END';

export class LeaseTable {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    readonly tableName = LEASE_TABLE,
  ) {}

  async create(): Promise<void> {
    await createKeyedTable(this.dynamodb, this.tableName, 'shardId');
  }

  /** Every shard's checkpoint. */
  async all(): Promise<Map<string, string>> {
    const checkpoints = new Map<string, string>();
    let start: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
    do {
      const page = await withRetries(() => this.dynamodb.send(new ScanCommand({ TableName: this.tableName, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) })));
      for (const item of page.Items ?? []) checkpoints.set(item['shardId']!.S!, item['checkpoint']!.S!);
      start = page.LastEvaluatedKey;
    } while (start);
    return checkpoints;
  }

  async checkpoint(shardId: string, sequenceNumber: string, owner: string): Promise<void> {
    await withRetries(() => this.dynamodb.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: { shardId: { S: shardId }, checkpoint: { S: sequenceNumber }, owner: { S: owner }, updatedAt: { N: String(Date.now()) } },
      }),
    ));
  }
}
