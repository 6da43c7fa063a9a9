import { describe, expect, it } from 'vitest';
import { assignCredentials, parseKeysFile } from './keys.ts';
import { progressLine } from './progress.ts';

describe('keys file', () => {
  it('gives each scenario tenant the key of the tenant of the same id, and shares the keys in turn beyond them', () => {
    const keys = { tenants: [{ id: 'a-1', apiKey: 'k1' }, { id: 'a-2', apiKey: 'k2' }] };
    expect(assignCredentials(['a-1', 'a-2', 'a-3', 'a-4', 'a-5'], keys)).toEqual({
      matched: 2,
      credentials: [
        { tenantId: 'a-1', apiKey: 'k1' },
        { tenantId: 'a-2', apiKey: 'k2' },
        { tenantId: 'a-1', apiKey: 'k1' },
        { tenantId: 'a-2', apiKey: 'k2' },
        { tenantId: 'a-1', apiKey: 'k1' },
      ],
    });
  });

  it('reads what pipeline up writes (extra fields allowed) and names every problem of a bad file', () => {
    const text = JSON.stringify({ apiUrl: 'http://127.0.0.1:1', edgeUrl: 'http://127.0.0.1:2', tenants: [{ id: 't-1', apiKey: 'x', eventsPerSecond: 5 }] });
    expect(parseKeysFile(text, 'keys.json').tenants).toHaveLength(1);
    expect(() => parseKeysFile('{"apiUrl": 3, "tenants": [{"id": ""}, {"apiKey": "k"}]}', 'k.json')).toThrow(
      'keys file k.json:\n  apiUrl: expected a string, got 3\n  tenants[0].id: expected a non-empty string\n  tenants[0].apiKey: expected a non-empty string\n  tenants[1].id: expected a non-empty string',
    );
    expect(() => parseKeysFile('{', 'k.json')).toThrow(/keys file k.json is not JSON/);
  });
});

describe('progress line', () => {
  it('shows the share done, the current and target rates, and the answers', () => {
    const line = progressLine({ elapsed: 5.2, wallDuration: 10, rate: 1998, targetRate: 2000, sent: 10_400, scheduled: 20_000, inFlight: 3, accepted: 10_390, throttled: 7, failed: 0 }, 10);
    expect(line).toBe('[#####·····]  52% 5.2/10.0 s · 1,998 req/s (target 2,000) · sent 10,400/20,000 · 2xx 10,390 ev · 429 7 · failed 0 ev · in flight 3');
    expect(progressLine({ elapsed: 11, wallDuration: 10, rate: 0, targetRate: 0, sent: 1, scheduled: 1, inFlight: 1, accepted: 0, throttled: 0, failed: 0 }, 4)).toMatch(/^\[####\] draining 10\.0\/10\.0 s/);
  });
});
