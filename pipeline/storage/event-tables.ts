/**
 * The seed's table per period of event time: `events_2026_W02` per ISO week (or `events_2026_01_05` per UTC day),
 * named by the simulator's own `periodTableName`. Each table is created before its period starts (`createAhead`), and
 * tables whose period ended more than `retention` ago are deleted (the seed's age-off: dropping a table is free and
 * instant, deleting items is neither). Key: pk = tenant, sk = `<event time, 13 digits>#<event id>`, so a re-written
 * event overwrites itself and a tenant's events read back in time order.
 */
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  ListTablesCommand,
  TagResourceCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { periodTableName, type DynamoDbConfig } from '../../sim/dynamodb.ts';
import { sleep, withRetries } from './backoff.ts';

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** 1970-01-05, the first Monday of the epoch: ISO weeks start on Mondays. */
const FIRST_MONDAY_MS = 4 * DAY_MS;

export interface EventTablesOptions {
  tablePer: DynamoDbConfig['tablePer'];
  mode: DynamoDbConfig['mode'];
  writeCapacity: number;
  readCapacity: number;
  /** Seconds before a period starts that its table is created (the scenario's `dynamodb.createAhead`). */
  createAheadSeconds: number;
  /** Seconds after a period ends that its table is kept; older ones are deleted. */
  retentionSeconds: number;
  /**
   * Put before every table name (the aws target's run prefix, `ingestlab-<runid>-`, so clean-up finds them); only
   * tables with it are listed, maintained and aged off. Default none.
   */
  tablePrefix?: string;
  /** Tags each table gets right after it is created (the aws target's run tag). */
  tags?: Record<string, string>;
}

export interface EventKey {
  tenant: string;
  timestamp: number;
  id: string;
}

export function sortKey(event: EventKey): string {
  return `${String(event.timestamp).padStart(13, '0')}#${event.id}`;
}

/** Start (epoch ms) of the period holding `epochMs`. */
export function periodStart(epochMs: number, tablePer: EventTablesOptions['tablePer']): number {
  const length = tablePer === 'week' ? WEEK_MS : DAY_MS;
  const origin = tablePer === 'week' ? FIRST_MONDAY_MS : 0;
  return origin + Math.floor((epochMs - origin) / length) * length;
}

export function tableNameFor(epochMs: number, tablePer: EventTablesOptions['tablePer']): string {
  return periodTableName(Math.floor(epochMs / 1000), tablePer);
}

/** The period start of a table name made by `periodTableName`, or undefined for any other name. */
export function periodOfTable(name: string): { start: number; tablePer: EventTablesOptions['tablePer'] } | undefined {
  const week = /^events_(\d{4})_W(\d{2})$/.exec(name);
  if (week) {
    // ISO 8601: week 1 holds January 4th; weeks start on Monday.
    const jan4 = Date.UTC(Number(week[1]), 0, 4);
    const mondayOfWeek1 = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY_MS;
    return { start: mondayOfWeek1 + (Number(week[2]) - 1) * WEEK_MS, tablePer: 'week' };
  }
  const day = /^events_(\d{4})_(\d{2})_(\d{2})$/.exec(name);
  if (day) return { start: Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3])), tablePer: 'day' };
  return undefined;
}

export class EventTables {
  private readonly ready = new Map<string, Promise<void>>();
  readonly created: string[] = [];
  readonly deleted: string[] = [];

  constructor(
    private readonly dynamodb: DynamoDBClient,
    readonly options: EventTablesOptions,
  ) {}

  get periodMs(): number {
    return this.options.tablePer === 'week' ? WEEK_MS : DAY_MS;
  }

  /** True when events of this time belong to a table already aged off (they go to the dead-letter prefix). */
  expired(eventMs: number, nowMs: number): boolean {
    return periodStart(eventMs, this.options.tablePer) + this.periodMs + this.options.retentionSeconds * 1000 <= nowMs;
  }

  /** The table for an event time, created (and ACTIVE) before this resolves. */
  async tableFor(eventMs: number): Promise<string> {
    const name = (this.options.tablePrefix ?? '') + tableNameFor(eventMs, this.options.tablePer);
    let ready = this.ready.get(name);
    if (!ready) {
      ready = this.create(name);
      this.ready.set(name, ready);
      ready.catch(() => this.ready.delete(name));
    }
    await ready;
    return name;
  }

  /** Forget a table believed to exist (it was deleted behind our back): the next write creates it again. */
  forget(name: string): void {
    this.ready.delete(name);
  }

  /**
   * Housekeeping at `nowMs`: the current period's table, the next one once it is within `createAhead`, and deletion
   * of tables past retention. Returns what it created and deleted.
   */
  async maintain(nowMs: number): Promise<{ created: string[]; deleted: string[] }> {
    const before = this.created.length;
    const current = periodStart(nowMs, this.options.tablePer);
    await this.tableFor(current);
    const next = current + this.periodMs;
    if (nowMs >= next - this.options.createAheadSeconds * 1000) await this.tableFor(next);
    const deleted: string[] = [];
    for (const name of await this.listEventTables()) {
      const period = periodOfTable(name.slice((this.options.tablePrefix ?? '').length));
      if (!period || period.tablePer !== this.options.tablePer) continue;
      if (period.start + this.periodMs + this.options.retentionSeconds * 1000 <= nowMs) {
        await this.dynamodb.send(new DeleteTableCommand({ TableName: name })).catch((e: Error) => {
          if (e.name !== 'ResourceNotFoundException') throw e;
        });
        this.ready.delete(name);
        this.deleted.push(name);
        deleted.push(name);
      }
    }
    return { created: this.created.slice(before), deleted };
  }

  async listEventTables(): Promise<string[]> {
    const names: string[] = [];
    let start: string | undefined;
    do {
      const page = await withRetries(() => this.dynamodb.send(new ListTablesCommand(start ? { ExclusiveStartTableName: start } : {})));
      const prefix = this.options.tablePrefix ?? '';
      names.push(...(page.TableNames ?? []).filter((n) => n.startsWith(prefix) && periodOfTable(n.slice(prefix.length)) !== undefined));
      start = page.LastEvaluatedTableName;
    } while (start);
    return names;
  }

  private async create(name: string): Promise<void> {
    const { mode, writeCapacity, readCapacity } = this.options;
    try {
      await withRetries(() => this.dynamodb.send(
        new CreateTableCommand({
          TableName: name,
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          ...(mode === 'on-demand'
            ? { BillingMode: 'PAY_PER_REQUEST' as const }
            : { BillingMode: 'PROVISIONED' as const, ProvisionedThroughput: { WriteCapacityUnits: writeCapacity, ReadCapacityUnits: readCapacity } }),
        }),
      ));
      this.created.push(name);
    } catch (error) {
      if ((error as Error).name !== 'ResourceInUseException') throw error;
    }
    const arn = await waitActive(this.dynamodb, name);
    const tags = Object.entries(this.options.tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
    if (tags.length > 0 && arn) await withRetries(() => this.dynamodb.send(new TagResourceCommand({ ResourceArn: arn, Tags: tags })));
  }
}

/**
 * Creates an on-demand table keyed by one string hash key (the lease and schema tables), unless it exists, and waits
 * for it to be ACTIVE.
 */
export async function createKeyedTable(dynamodb: DynamoDBClient, name: string, hashKey: string): Promise<void> {
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: name,
        AttributeDefinitions: [{ AttributeName: hashKey, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: hashKey, KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    if ((error as Error).name !== 'ResourceInUseException') throw error;
  }
  await waitActive(dynamodb, name);
}

/** Waits for a table to be ACTIVE; resolves with its ARN. */
export async function waitActive(dynamodb: DynamoDBClient, name: string, timeoutMs = 60_000): Promise<string | undefined> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { Table } = await withRetries(() => dynamodb.send(new DescribeTableCommand({ TableName: name })));
    if (Table?.TableStatus === 'ACTIVE') return Table.TableArn;
    if (Date.now() > until) throw new Error(`table ${name} not ACTIVE after ${timeoutMs} ms (${Table?.TableStatus})`);
    await sleep(50);
  }
}
