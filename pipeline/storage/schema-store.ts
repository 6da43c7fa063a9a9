/**
 * The seed's schema store: each tenant's event schema in a DynamoDB table, read through an in-process cache with a
 * TTL (a schema change reaches the processor within one TTL, without a read per event). A schema names fields with a
 * type and whether they are required, and whether fields it does not name are allowed. A tenant without a schema
 * takes any fields.
 */
import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createKeyedTable } from './event-tables.ts';
import { withRetries } from './backoff.ts';

export type FieldType = 'string' | 'number' | 'boolean' | 'object' | 'array';

export interface TenantSchema {
  fields: Record<string, { type: FieldType; required?: boolean }>;
  /** Fields the schema does not name: allowed (default) or a violation. */
  additionalFields?: boolean;
}

export const SCHEMA_TABLE = 'ingestlab_schemas';

export class SchemaStore {
  private readonly cache = new Map<string, { schema: TenantSchema | null; until: number }>();
  lookups = 0;

  constructor(
    private readonly dynamodb: DynamoDBClient,
    readonly ttlMs = 30_000,
    readonly tableName = SCHEMA_TABLE,
    private readonly now: () => number = Date.now,
  ) {}

  async createTable(): Promise<void> {
    await createKeyedTable(this.dynamodb, this.tableName, 'tenant');
  }

  async put(tenant: string, schema: TenantSchema): Promise<void> {
    await this.dynamodb.send(
      new PutItemCommand({ TableName: this.tableName, Item: { tenant: { S: tenant }, schema: { S: JSON.stringify(schema) }, updatedAt: { N: String(this.now()) } } }),
    );
    this.cache.delete(tenant);
  }

  async get(tenant: string): Promise<TenantSchema | null> {
    const hit = this.cache.get(tenant);
    if (hit && hit.until > this.now()) return hit.schema;
    this.lookups++;
    const out = await withRetries(() => this.dynamodb.send(new GetItemCommand({ TableName: this.tableName, Key: { tenant: { S: tenant } }, ConsistentRead: true })));
    const text = out.Item?.['schema']?.S;
    const schema = text ? (JSON.parse(text) as TenantSchema) : null;
    this.cache.set(tenant, { schema, until: this.now() + this.ttlMs });
    return schema;
  }
}

/** The first way `fields` breaks `schema`, as a sentence naming the field; undefined when it conforms. */
export function schemaViolation(fields: Record<string, unknown>, schema: TenantSchema | null): string | undefined {
  if (!schema) return undefined;
  for (const [name, rule] of Object.entries(schema.fields)) {
    const value = fields[name];
    if (value === undefined || value === null) {
      if (rule.required) return `field ${name}: required (${rule.type}), missing`;
      continue;
    }
    const actual = Array.isArray(value) ? 'array' : typeof value;
    if (actual !== rule.type) return `field ${name}: expected ${rule.type}, got ${actual} ${JSON.stringify(value)?.slice(0, 40)}`;
  }
  if (schema.additionalFields === false) {
    const extra = Object.keys(fields).find((k) => !(k in schema.fields));
    if (extra !== undefined) return `field ${extra}: not in the tenant's schema (additional fields are not allowed)`;
  }
  return undefined;
}
