import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { PACKAGE_DIR } from './paths.js';

export interface ApiFiles {
  readonly definition: string;
  readonly composition: string;
}

/** package/apis/<api>/{definition,composition}.yaml, indexed by the XR kind they serve. */
export function apiFilesByKind(packageDir = PACKAGE_DIR): Map<string, ApiFiles> {
  const byKind = new Map<string, ApiFiles>();
  const apisDir = join(packageDir, 'apis');
  for (const api of readdirSync(apisDir)) {
    const definition = join(apisDir, api, 'definition.yaml');
    const kind = servedKind(definition);
    if (kind) byKind.set(kind, { definition, composition: join(apisDir, api, 'composition.yaml') });
  }
  return byKind;
}

/**
 * The kind an XRD serves, parsed again only when its file changed: every render asks, and
 * parsing the package's XRDs, schemas and all, was a third of `npm start`'s own time.
 */
function servedKind(definition: string): string | undefined {
  // The inode and change time too: a copy that keeps the modification time (cp -p, tar) or a
  // rewrite of the same size within one tick of the clock is still a change.
  const { ino, mtimeMs, ctimeMs, size } = statSync(definition);
  const version = `${ino}/${mtimeMs}/${ctimeMs}/${size}`;
  const known = servedKinds.get(definition);
  if (known?.version === version) return known.kind;
  const [xrd] = parseAllDocuments(readFileSync(definition, 'utf8')).map((d) => d.toJS() as { spec?: { names?: { kind?: string } } });
  const kind = xrd?.spec?.names?.kind;
  servedKinds.set(definition, { version, kind });
  return kind;
}
const servedKinds = new Map<string, { version: string; kind: string | undefined }>();

/** The kind of the single XR in `file`: JSON (what toCliInput writes, read far faster) or YAML. */
export function kindOf(file: string): string {
  const text = readFileSync(file, 'utf8');
  const docs = (asJson(text) ?? parseAllDocuments(text).map((d) => d.toJS() as unknown)) as ({ kind?: unknown } | null)[];
  const xrs = docs.filter((d) => d !== null);
  if (xrs.length !== 1 || typeof xrs[0]?.kind !== 'string') throw new Error(`${file} must hold exactly one XR`);
  return xrs[0].kind;
}

/** The one JSON document `text` holds, in a list; undefined for anything else (YAML, a stream). */
function asJson(text: string): unknown[] | undefined {
  if (!text.trimStart().startsWith('{')) return undefined;
  try {
    return [JSON.parse(text) as unknown];
  } catch {
    return undefined;
  }
}
