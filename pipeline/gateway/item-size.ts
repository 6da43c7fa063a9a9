/**
 * The size DynamoDB bills an item by (§3.1, and the developer guide's "Item sizes and formats"): every attribute name's
 * UTF-8 bytes plus its value: strings their UTF-8 bytes, binaries their bytes, numbers about one byte per two
 * significant digits plus one, booleans and nulls one byte, lists and maps 3 bytes plus their elements (and 1 byte each).
 */
export type AttributeValue = Record<string, unknown>;

export function itemBytes(item: Record<string, AttributeValue> | undefined): number {
  let total = 0;
  for (const [name, value] of Object.entries(item ?? {})) total += Buffer.byteLength(name, 'utf8') + valueBytes(value);
  return total;
}

function valueBytes(v: AttributeValue): number {
  if ('S' in v) return Buffer.byteLength(String(v.S), 'utf8');
  if ('N' in v) return numberBytes(String(v.N));
  if ('B' in v) return Buffer.byteLength(String(v.B), 'base64');
  if ('BOOL' in v || 'NULL' in v) return 1;
  if ('SS' in v) return (v.SS as string[]).reduce((n, s) => n + Buffer.byteLength(s, 'utf8'), 0);
  if ('NS' in v) return (v.NS as string[]).reduce((n, s) => n + numberBytes(s), 0);
  if ('BS' in v) return (v.BS as string[]).reduce((n, s) => n + Buffer.byteLength(s, 'base64'), 0);
  if ('L' in v) return 3 + (v.L as AttributeValue[]).reduce((n, e) => n + 1 + valueBytes(e), 0);
  if ('M' in v) return 3 + Object.entries(v.M as Record<string, AttributeValue>).reduce((n, [k, e]) => n + 1 + Buffer.byteLength(k, 'utf8') + valueBytes(e), 0);
  return 0;
}

function numberBytes(n: string): number {
  const digits = n.replace(/^[-+]/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}
