import { memoized } from './memo.js';

// IPv4 CIDR arithmetic. Addresses are unsigned 32-bit integers held in ordinary numbers
// (always below 2^32, so no precision is lost); `>>> 0` keeps bit operations unsigned.

export interface Cidr {
  /** First address of the block. */
  readonly base: number;
  readonly prefixLength: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

export class CidrSyntaxError extends Error {}

/**
 * Parses `a.b.c.d/n`, refusing host bits so a typo never silently moves a network. Remembered:
 * composing reads every environment's ranges from the spec, status and observed spokes on
 * every reconcile.
 */
export const parseCidr: (text: string) => Cidr = memoized(parseCidrText);

function parseCidrText(text: string): Cidr {
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
  return Object.freeze({ base, prefixLength });
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

/** Addresses in a block of each prefix length: a lookup, where `2 **` was a tenth of planning addresses. */
const BLOCK_SIZES: readonly number[] = Array.from({ length: 33 }, (_, prefixLength) => 2 ** (32 - prefixLength));

export function size(cidr: Cidr): number {
  return BLOCK_SIZES[cidr.prefixLength] ?? 2 ** (32 - cidr.prefixLength);
}

export function lastAddress(cidr: Cidr): number {
  return cidr.base + size(cidr) - 1;
}

function networkBase(address: number, prefixLength: number): number {
  return address - (address % size({ base: address, prefixLength }));
}

export function formatAddress(address: number): string {
  return `${address >>> 24}.${(address >>> 16) & 255}.${(address >>> 8) & 255}.${address & 255}`;
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

/**
 * Blocks that do not overlap each other, kept sorted by address, so whether a block overlaps any
 * of them is one binary search: of disjoint blocks sorted by start, the last one starting at or
 * before the block's end is the only one that can reach into it.
 */
export class DisjointBlocks {
  private readonly blocks: Cidr[] = [];

  /** Adds a block the caller has checked overlaps none of these. */
  add(block: Cidr): void {
    this.blocks.splice(this.lastStartingAtOrBefore(block.base) + 1, 0, block);
  }

  overlapsAny(block: Cidr): boolean {
    const candidate = this.blocks[this.lastStartingAtOrBefore(lastAddress(block))];
    return candidate !== undefined && lastAddress(candidate) >= block.base;
  }

  /** The index of the last block whose base is at or before `address`; -1 when none is. */
  private lastStartingAtOrBefore(address: number): number {
    let low = 0;
    let high = this.blocks.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.blocks[middle]!.base <= address) low = middle + 1;
      else high = middle;
    }
    return low - 1;
  }
}
