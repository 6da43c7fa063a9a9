/** Joins as many of `parts` (in order of importance) as fit in `width` columns. */
export function fitParts(parts: readonly string[], width: number, separator = ' · '): string {
  let out = '';
  for (const part of parts) {
    const next = out ? out + separator + part : part;
    if (next.length > width) break;
    out = next;
  }
  return out;
}
