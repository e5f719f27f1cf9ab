// Pure functions of a string that composing calls for every environment on every reconcile, with
// the same strings each time (CIDRs, Azure IDs, child keys), remembered across calls. The cache is
// emptied when it reaches `limit` entries, so a function serving many networks holds a bounded
// amount; results must be immutable, since every caller shares them. A call that throws caches
// nothing.

export function memoized<T>(compute: (key: string) => T, limit = 16_384): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined && !cache.has(key)) {
      value = compute(key);
      if (cache.size >= limit) cache.clear();
      cache.set(key, value);
    }
    return value as T;
  };
}
