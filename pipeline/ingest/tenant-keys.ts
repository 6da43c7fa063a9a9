/**
 * API keys per tenant. Only SHA-256 digests are kept; a presented key is hashed and compared with the path tenant's
 * digest by `timingSafeEqual` (equal-length digests, so the comparison takes the same time whatever the key).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export type KeyCheck = 'ok' | 'unknown-key' | 'other-tenant';

export interface TenantKey {
  id: string;
  apiKey: string;
}

export class TenantKeys {
  private readonly byTenant = new Map<string, Buffer>();
  /** Digest (hex) → tenant, to tell a key of another tenant (403) from an unknown one (401). */
  private readonly owners = new Map<string, string>();

  constructor(tenants: readonly TenantKey[]) {
    for (const t of tenants) this.add(t.id, t.apiKey);
  }

  add(tenant: string, apiKey: string): void {
    const digest = sha256(apiKey);
    this.byTenant.set(tenant, digest);
    this.owners.set(digest.toString('hex'), tenant);
  }

  has(tenant: string): boolean {
    return this.byTenant.has(tenant);
  }

  check(tenant: string, apiKey: string | undefined): KeyCheck {
    if (!apiKey) return 'unknown-key';
    const presented = sha256(apiKey);
    const expected = this.byTenant.get(tenant);
    if (expected && timingSafeEqual(presented, expected)) return 'ok';
    return this.owners.has(presented.toString('hex')) ? 'other-tenant' : 'unknown-key';
  }
}

/** A fresh key: 32 random bytes, base64url (43 characters). */
export function newApiKey(): string {
  return randomBytes(32).toString('base64url');
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
