/** `spec.forProvider` of a composed resource, typed loosely for assertions; throws when it has none. */
export function forProvider(manifest: { spec?: unknown; metadata?: unknown } | undefined): Record<string, unknown> {
  const fields = (manifest?.spec as { forProvider?: Record<string, unknown> } | undefined)?.forProvider;
  if (!fields) throw new Error(`no forProvider in ${JSON.stringify((manifest?.metadata as { name?: string } | undefined)?.name)}`);
  return fields;
}

/** The entry of a named list (listeners, rules, certificates) called `name`. */
export function byName(list: unknown, name: string): { name: string } | undefined {
  return (list as { name: string }[]).find((item) => item.name === name);
}
