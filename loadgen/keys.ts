/**
 * The keys file `pipeline up` writes (mode 0600): `{"apiUrl": "...", "tenants": [{"id": "...", "apiKey": "..."}]}`.
 * Scenario tenants are matched to its tenants by id (`<group>-<n>`, see scenarioTenantIds); when the pipeline
 * provisioned fewer tenants than the scenario has (it caps them), the rest share its keys in turn.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../sim/errors.ts';

export interface KeysFile {
  readonly apiUrl?: string;
  readonly tenants: readonly { readonly id: string; readonly apiKey: string }[];
}

/** One scenario tenant's credentials: the pipeline tenant it posts as, and that tenant's key. */
export interface TenantCredential {
  readonly tenantId: string;
  readonly apiKey: string;
}

export function parseKeysFile(text: string, file: string): KeysFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`keys file ${file} is not JSON: ${(error as Error).message}`);
  }
  const problems: string[] = [];
  const obj = data as { apiUrl?: unknown; tenants?: unknown };
  if (typeof data !== 'object' || data === null) problems.push('expected an object {"apiUrl", "tenants": [{"id", "apiKey"}]}');
  else {
    if (obj.apiUrl !== undefined && typeof obj.apiUrl !== 'string') problems.push(`apiUrl: expected a string, got ${JSON.stringify(obj.apiUrl)}`);
    if (!Array.isArray(obj.tenants) || obj.tenants.length === 0) problems.push('tenants: expected a non-empty array of {"id", "apiKey"}');
    else
      obj.tenants.forEach((t: any, i: number) => {
        if (typeof t?.id !== 'string' || t.id === '') problems.push(`tenants[${i}].id: expected a non-empty string`);
        if (typeof t?.apiKey !== 'string' || t.apiKey === '') problems.push(`tenants[${i}].apiKey: expected a non-empty string`);
      });
  }
  if (problems.length > 0) throw new UsageError(`keys file ${file}:\n  ${problems.join('\n  ')}`);
  return data as KeysFile;
}

export function readKeysFile(file: string): KeysFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read keys file ${file}: ${(error as Error).message} (start the pipeline with \`npm run pipeline -- up --keys-file ${file}\`)`);
  }
  return parseKeysFile(text, file);
}

/** Credentials per scenario tenant: by matching id, otherwise the keys file's tenants in turn. */
export function assignCredentials(scenarioTenantIds: readonly string[], keys: KeysFile): { credentials: TenantCredential[]; matched: number } {
  const byId = new Map(keys.tenants.map((t) => [t.id, t]));
  let matched = 0;
  let turn = 0;
  const credentials = scenarioTenantIds.map((id) => {
    const own = byId.get(id);
    if (own) {
      matched++;
      return { tenantId: own.id, apiKey: own.apiKey };
    }
    const t = keys.tenants[turn++ % keys.tenants.length]!;
    return { tenantId: t.id, apiKey: t.apiKey };
  });
  return { credentials, matched };
}
