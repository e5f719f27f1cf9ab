// IPv4 CIDR arithmetic. Addresses are unsigned 32-bit integers held in ordinary numbers
// (always below 2^32, so no precision is lost); `>>> 0` keeps bit operations unsigned.

export interface Cidr {
  /** First address of the block. */
  readonly base: number;
  readonly prefixLength: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

export class CidrSyntaxError extends Error {}

/** Parses `a.b.c.d/n`, refusing host bits so a typo never silently moves a network. */
export function parseCidr(text: string): Cidr {
  const match = CIDR_PATTERN.exec(text);
  // Quoted and cut short: the text is the user's and ends up in a message.
  if (!match) throw new CidrSyntaxError(`${JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text)} is not an IPv4 CIDR such as 10.0.0.0/16`);
  const octets = match.slice(1, 5).map(Number);
  const prefixLength = Number(match[5]);
  if (octets.some((o) => o > 255) || prefixLength > 32) {
    throw new CidrSyntaxError(`"${text}" is not an IPv4 CIDR such as 10.0.0.0/16`);
  }
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const base = networkBase(address, prefixLength);
  if (base !== address) {
    throw new CidrSyntaxError(`"${text}" has host bits set; the network address is ${formatCidr({ base, prefixLength })}`);
  }
  return { base, prefixLength };
}

/** A recorded or observed value that no longer parses is ignored rather than trusted. */
export function cidrOrUndefined(value: unknown): Cidr | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return parseCidr(value);
  } catch (error) {
    if (error instanceof CidrSyntaxError) return undefined;
    throw error;
  }
}

export function size(cidr: Cidr): number {
  return 2 ** (32 - cidr.prefixLength);
}

export function lastAddress(cidr: Cidr): number {
  return cidr.base + size(cidr) - 1;
}

function networkBase(address: number, prefixLength: number): number {
  const blockSize = 2 ** (32 - prefixLength);
  return address - (address % blockSize);
}

export function formatAddress(address: number): string {
  return [24, 16, 8, 0].map((shift) => (address >>> shift) & 255).join('.');
}

export function formatCidr(cidr: Cidr): string {
  return `${formatAddress(cidr.base)}/${cidr.prefixLength}`;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base <= lastAddress(b) && b.base <= lastAddress(a);
}

export function contains(outer: Cidr, inner: Cidr): boolean {
  return inner.base >= outer.base && lastAddress(inner) <= lastAddress(outer);
}

/**
 * The block of `prefixLength` that starts `offset` addresses into `parent`. Callers pass
 * offsets that are multiples of the block size, so the result is always aligned.
 */
export function blockAt(parent: Cidr, offset: number, prefixLength: number): Cidr {
  const block = { base: parent.base + offset, prefixLength };
  if (offset % size(block) !== 0 || !contains(parent, block)) {
    throw new RangeError(`no aligned /${prefixLength} at offset ${offset} of ${formatCidr(parent)}`);
  }
  return block;
}

/**
 * The lowest aligned block of `prefixLength` inside `pool` that overlaps none of `taken`,
 * or undefined when the pool is exhausted. Candidates only move up and `taken` is scanned
 * in base order from a moving start, so one call is linear in the number of taken ranges
 * (placing 200 spokes in a /8 was cubic before, and the slowest part of the function).
 */
export function firstFreeBlock(pool: Cidr, prefixLength: number, taken: readonly Cidr[]): Cidr | undefined {
  if (prefixLength < pool.prefixLength) return undefined;
  const blockSize = 2 ** (32 - prefixLength);
  const ranges = taken.map((t) => ({ first: t.base, last: lastAddress(t) })).sort((a, b) => a.first - b.first);
  const poolLast = lastAddress(pool);
  let candidate = pool.base;
  let start = 0;
  while (candidate + blockSize - 1 <= poolLast) {
    const end = candidate + blockSize - 1;
    // Ranges that end below the candidate can never collide with a later, higher one.
    while (start < ranges.length && (ranges[start]?.last ?? Infinity) < candidate) start++;
    let collisionEnd = -1;
    for (let i = start; i < ranges.length; i++) {
      const range = ranges[i];
      if (!range || range.first > end) break;
      if (range.last >= candidate) collisionEnd = Math.max(collisionEnd, range.last);
    }
    if (collisionEnd < 0) return { base: candidate, prefixLength };
    candidate = Math.ceil((collisionEnd + 1) / blockSize) * blockSize;
  }
  return undefined;
}
