import { Resource } from '@crossplane-org/function-sdk-typescript';

// A faster wire codec for the protobuf message that carries every composed resource
// (crossplane's Resource: a google.protobuf.Struct, connection details, readiness). The SDK's
// generated codec builds an intermediate object per Struct, map entry and Value, then unwraps
// them; on a 100-environment network's steady state (about 2,900 resources, 5 MB) that was
// most of each call's time and memory (npm run bench). This one reads and writes plain JSON
// values directly, with the same bytes on the wire and the same decoded values: a property
// test (test/unit/resource-codec.test.ts) holds it to the generated codec, which it keeps.
// It decodes everything eagerly. An earlier version decoded large fields on first read, through
// getters: faster at p50, but with it young-generation collections took 5-8 ms each (most of
// what they scanned survived), against about 1 ms now, and they set the tail: p99 13 ms
// against 8.7 eager for a 3-environment network, in the same run.
//
// Installed by the server at start (installFastResourceCodec). Everything else, including the
// request and response envelopes, stays the SDK's.

type Json = unknown;

interface Reader {
  buf: Uint8Array;
  pos: number;
  len: number;
  __tsProtoDecodeDepth?: number;
}

interface Writer {
  raw(chunk: Uint8Array): unknown;
}

interface ResourceMessage {
  resource?: Record<string, Json>;
  connectionDetails: Record<string, Buffer>;
  ready: number;
}

/** The generated codec's own limit on nested messages, counted the same way. */
const MAX_DEPTH = 100;
const RECURSION_ERROR = 'protobuf decode recursion limit exceeded';
/** Up to this many bytes, a string is decoded and measured in JavaScript rather than natively. */
const SHORT_STRING = 64;

// Doubles go through one scratch buffer, little-endian as protobuf wants them.
const SCRATCH_BYTES = new Uint8Array(8);
const SCRATCH_VIEW = new DataView(SCRATCH_BYTES.buffer);

// ---- decoding ----

/**
 * Short ASCII strings seen before (at most 8,192 of up to 64 bytes, one per slot, the latest
 * winning), slotted by their length and a few of their bytes. Kubernetes objects repeat the
 * same keys and many of the same values (kinds, condition types, reasons, names of the XR's
 * resources on every reconcile), and each one decoded natively costs a call into C++ and a
 * new string; a hit costs a comparison and allocates nothing.
 */
const INTERNED_BITS = 13;
const interned: (string | undefined)[] = new Array<string | undefined>(1 << INTERNED_BITS).fill(undefined);

class Decoder {
  readonly text: Buffer;
  pos = 0;

  constructor(readonly buf: Uint8Array) {
    this.text = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.buf.length) throw new RangeError('premature EOF');
      const byte = this.buf[this.pos++]!;
      if (shift < 32) result |= (byte & 0x7f) << shift;
      if (byte < 0x80) return result >>> 0;
      shift += 7;
      if (shift > 63) throw new Error('invalid varint');
    }
  }

  end(length: number): number {
    const end = this.pos + length;
    if (end > this.buf.length) throw new RangeError('premature EOF');
    return end;
  }

  string(): string {
    const end = this.end(this.varint());
    const start = this.pos;
    this.pos = end;
    const length = end - start;
    if (length === 0) return '';
    if (length > SHORT_STRING) return this.text.toString('utf8', start, end);
    const buf = this.buf;
    // The slot comes from the length and five sampled bytes, not all of them: a hit is then
    // confirmed against every byte, so the bytes are read once on a hit rather than twice.
    const last = end - 1;
    const slot =
      (Math.imul(length, 0x9e3779b1) ^
        Math.imul(buf[start]!, 0x85ebca6b) ^
        Math.imul(buf[last]!, 0xc2b2ae35) ^
        Math.imul(buf[start + (length >> 1)]!, 0x27d4eb2f) ^
        Math.imul(buf[start + (length >> 2)]!, 0x165667b1) ^
        Math.imul(buf[last - (length >> 2)]!, 0x2545f491)) >>>
      (32 - INTERNED_BITS);
    const known = interned[slot];
    if (known !== undefined && known.length === length) {
      let i = 0;
      while (i < length && known.charCodeAt(i) === buf[start + i]) i++;
      // Equal code units to bytes means the bytes were the ASCII the known string was read from.
      if (i === length) return known;
    }
    for (let i = start; i < end; i++) if (buf[i]! > 0x7f) return this.text.toString('utf8', start, end);
    const text = this.text.toString('latin1', start, end);
    interned[slot] = text;
    return text;
  }

  float64(): number {
    const end = this.end(8);
    for (let i = 0; i < 8; i++) SCRATCH_BYTES[i] = this.buf[this.pos + i]!;
    this.pos = end;
    return SCRATCH_VIEW.getFloat64(0, true);
  }

  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.varint();
        return;
      case 1:
        this.pos = this.end(8);
        return;
      case 2:
        this.pos = this.end(this.varint());
        return;
      case 5:
        this.pos = this.end(4);
        return;
      default:
        throw new Error(`cant skip wire type ${wireType}`);
    }
  }

  struct(length: number, depth: number): Record<string, Json> {
    if (depth >= MAX_DEPTH) throw new Error(RECURSION_ERROR);
    const end = this.end(length);
    const object: Record<string, Json> = {};
    while (this.pos < end) {
      const tag = this.varint();
      if (tag === 10) {
        this.entry(this.varint(), depth + 1);
        const key = this.entryKey;
        const value = this.entryValue;
        if (value === undefined) continue;
        // An own property, never the object's prototype (the generated codec sets the
        // prototype, so such a key changes what every other key reads).
        if (key === '__proto__') Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
        else object[key] = value;
        continue;
      }
      if ((tag & 7) === 4 || tag === 0) break;
      this.skip(tag & 7);
    }
    return object;
  }

  /** The last map entry read, in two fields rather than a new pair per entry. */
  private entryKey = '';
  private entryValue: Json = undefined;

  entry(length: number, depth: number): void {
    if (depth >= MAX_DEPTH) throw new Error(RECURSION_ERROR);
    const end = this.end(length);
    let key = '';
    let value: Json = undefined;
    while (this.pos < end) {
      const tag = this.varint();
      if (tag === 10) key = this.string();
      else if (tag === 18) value = this.value(this.varint(), depth + 1);
      else {
        if ((tag & 7) === 4 || tag === 0) break;
        this.skip(tag & 7);
      }
    }
    this.entryKey = key;
    this.entryValue = value;
  }

  /** A Value; when several of its fields are set, the generated unwrap's precedence decides. */
  value(length: number, depth: number): Json {
    if (depth >= MAX_DEPTH) throw new Error(RECURSION_ERROR);
    const end = this.end(length);
    let nullValue: number | undefined;
    let numberValue: number | undefined;
    let stringValue: string | undefined;
    let boolValue: boolean | undefined;
    let structValue: Record<string, Json> | undefined;
    let listValue: Json[] | undefined;
    while (this.pos < end) {
      const tag = this.varint();
      switch (tag) {
        case 8:
          nullValue = this.varint();
          continue;
        case 17:
          numberValue = this.float64();
          continue;
        case 26:
          stringValue = this.string();
          continue;
        case 32:
          boolValue = this.varint() !== 0;
          continue;
        case 42:
          structValue = this.struct(this.varint(), depth + 1);
          continue;
        case 50:
          listValue = this.list(this.varint(), depth + 1);
          continue;
      }
      if ((tag & 7) === 4 || tag === 0) break;
      this.skip(tag & 7);
    }
    if (stringValue !== undefined) return stringValue;
    if (numberValue !== undefined) return numberValue;
    if (boolValue !== undefined) return boolValue;
    if (structValue !== undefined) return structValue;
    if (listValue !== undefined) return listValue;
    if (nullValue !== undefined) return null;
    return undefined;
  }

  list(length: number, depth: number): Json[] {
    if (depth >= MAX_DEPTH) throw new Error(RECURSION_ERROR);
    const end = this.end(length);
    const values: Json[] = [];
    while (this.pos < end) {
      const tag = this.varint();
      if (tag === 10) {
        values.push(this.value(this.varint(), depth + 1));
        continue;
      }
      if ((tag & 7) === 4 || tag === 0) break;
      this.skip(tag & 7);
    }
    return values;
  }

  connectionDetail(length: number, depth: number): [string, Buffer] {
    if (depth >= MAX_DEPTH) throw new Error(RECURSION_ERROR);
    const end = this.end(length);
    let key = '';
    let value = Buffer.alloc(0);
    while (this.pos < end) {
      const tag = this.varint();
      if (tag === 10) key = this.string();
      else if (tag === 18) {
        const valueEnd = this.end(this.varint());
        value = Buffer.from(this.buf.subarray(this.pos, valueEnd));
        this.pos = valueEnd;
      } else {
        if ((tag & 7) === 4 || tag === 0) break;
        this.skip(tag & 7);
      }
    }
    return [key, value];
  }
}

export function decodeResource(input: Reader | Uint8Array, length?: number): ResourceMessage {
  const reader: Reader = input instanceof Uint8Array ? { buf: input, pos: 0, len: input.length } : input;
  const depth = reader.__tsProtoDecodeDepth ?? 0;
  if (depth >= MAX_DEPTH) throw new Error(RECURSION_ERROR);
  const decoder = new Decoder(reader.buf);
  decoder.pos = reader.pos;
  const end = length === undefined ? reader.len : decoder.end(length);
  const message: ResourceMessage = { resource: undefined, connectionDetails: {}, ready: 0 };
  while (decoder.pos < end) {
    const tag = decoder.varint();
    if (tag === 10) message.resource = decoder.struct(decoder.varint(), depth + 1);
    else if (tag === 18) {
      const [key, value] = decoder.connectionDetail(decoder.varint(), depth + 1);
      // As for struct keys: an own property, never the prototype.
      Object.defineProperty(message.connectionDetails, key, { value, writable: true, enumerable: true, configurable: true });
    } else if (tag === 24) message.ready = decoder.varint() | 0;
    else {
      if ((tag & 7) === 4 || tag === 0) break;
      decoder.skip(tag & 7);
    }
  }
  reader.pos = decoder.pos;
  return message;
}

// ---- encoding ----

/**
 * One pass: each length-delimited field gets one byte for its length before its content is
 * written, and if the content turns out to need a longer varint it is moved up to make room
 * (rare: most struct entries are under 128 bytes). Writes into a scratch buffer reused across
 * calls, so a resource costs no sizing pass and no allocation of its own.
 */
class Encoder {
  private buf: Buffer = Buffer.allocUnsafe(64 * 1024);
  private pos = 0;

  reset(): void {
    this.pos = 0;
  }

  /** What was written, in the scratch buffer: valid until the next write. */
  written(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** A copy of what was written, the caller's to keep. */
  take(): Buffer {
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    return out;
  }

  private ensure(bytes: number): void {
    if (this.pos + bytes > this.buf.length) this.grow(bytes);
  }

  private grow(bytes: number): void {
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + bytes));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  tag(tag: number): void {
    this.ensure(1);
    this.buf[this.pos++] = tag;
  }

  bytes(chunk: Uint8Array): void {
    this.ensure(chunk.length);
    this.buf.set(chunk, this.pos);
    this.pos += chunk.length;
  }

  varint(value: number): void {
    this.ensure(10);
    const buf = this.buf;
    if (value < 0) {
      // int32 as protobuf writes it: sign-extended to 64 bits, ten bytes.
      let lo = value >>> 0;
      for (let i = 0; i < 4; i++) {
        buf[this.pos++] = (lo & 0x7f) | 0x80;
        lo >>>= 7;
      }
      buf[this.pos++] = (lo & 0x0f) | 0x70 | 0x80;
      for (let i = 0; i < 4; i++) buf[this.pos++] = 0xff;
      buf[this.pos++] = 0x01;
      return;
    }
    while (value > 0x7f) {
      buf[this.pos++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    buf[this.pos++] = value;
  }

  /** Reserves the one-byte length of a field about to be written; returns where it is. */
  private open(): number {
    this.ensure(1);
    return this.pos++;
  }

  /** Writes the length of the field opened at `at`, moving its content up if one byte is too few. */
  private close(at: number): void {
    const length = this.pos - at - 1;
    if (length < 0x80) this.buf[at] = length;
    else this.widen(at, length);
  }

  /** Moves the content of the field opened at `at` up to make room for its length's varint. */
  private widen(at: number, length: number): void {
    const extra = varintSize(length) - 1;
    this.ensure(extra);
    this.buf.copyWithin(at + 1 + extra, at + 1, this.pos);
    const end = this.pos + extra;
    this.pos = at;
    this.varint(length);
    this.pos = end;
  }

  string(text: string): void {
    const length = text.length;
    if (length <= SHORT_STRING) {
      // ASCII in one pass, one byte per code unit; anything else is measured and written natively.
      this.ensure(length + 1);
      const buf = this.buf;
      const at = this.pos;
      buf[at] = length;
      let i = 0;
      for (; i < length; i++) {
        const unit = text.charCodeAt(i);
        if (unit > 0x7f) break;
        buf[at + 1 + i] = unit;
      }
      if (i === length) {
        this.pos = at + 1 + length;
        return;
      }
    }
    this.utf8(text);
  }

  /** A string measured and written natively: long, or not all ASCII. */
  private utf8(text: string): void {
    const bytes = Buffer.byteLength(text, 'utf8');
    this.varint(bytes);
    this.ensure(bytes);
    this.pos += this.buf.write(text, this.pos, bytes, 'utf8');
  }

  /** A google.protobuf.Struct's fields (its content, without tag or length). */
  struct(object: object): void {
    this.value(object, true);
  }

  /**
   * A google.protobuf.Value's content; with `bare`, an object's fields alone (a Struct's content).
   * One function that recurses only into itself, not a struct and a value that call each other,
   * and whose helpers keep their rare paths (growing the buffer, a length over one byte, a long or
   * non-ASCII string) out of line, so that what V8 inlines into it is the common path alone.
   */
  private value(value: Json, bare = false): void {
    if (value === null) {
      this.tag(8);
      this.tag(0);
    } else if (typeof value === 'string') {
      this.tag(26);
      this.string(value);
    } else if (typeof value === 'object') {
      // A Struct's content is fields, even where an array stands for it (its indexes).
      if (Array.isArray(value) && !bare) {
        this.tag(50);
        const list = this.open();
        for (const item of value as Json[]) {
          this.tag(10);
          const element = this.open();
          this.value(item);
          this.close(element);
        }
        this.close(list);
        return;
      }
      let struct = -1;
      if (!bare) {
        this.tag(42);
        struct = this.open();
      }
      // for-in visits an object's own keys in Object.keys' order (the composed objects have no
      // enumerable inherited ones) without allocating their array on every object.
      for (const key in value) {
        const field = (value as Record<string, Json>)[key];
        if (field === undefined) continue;
        this.tag(10);
        const entry = this.open();
        if (key !== '') {
          this.tag(10);
          this.string(key);
        }
        this.tag(18);
        const content = this.open();
        this.value(field);
        this.close(content);
        this.close(entry);
      }
      if (!bare) this.close(struct);
    } else if (typeof value === 'boolean') {
      this.tag(32);
      this.tag(value ? 1 : 0);
    } else if (typeof value === 'number') {
      this.tag(17);
      SCRATCH_VIEW.setFloat64(0, value, true);
      this.bytes(SCRATCH_BYTES);
    } else if (value !== undefined) throw new Error(`Unsupported any value type: ${typeof value}`);
  }

  /** A length-delimited field holding `write`'s output. */
  field(tag: number, write: () => void): void {
    this.tag(tag);
    const at = this.open();
    write();
    this.close(at);
  }
}

function varintSize(value: number): number {
  if (value < 0) return 10;
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}

const encoder = new Encoder();

/** Writes `message` into the encoder's scratch buffer. */
function write(message: ResourceMessage): void {
  encoder.reset();
  const resource = message.resource;
  if (resource !== undefined) encoder.field(10, () => encoder.struct(resource));
  for (const key of Object.keys(message.connectionDetails)) {
    const value = message.connectionDetails[key]!;
    encoder.field(18, () => {
      if (key !== '') {
        encoder.tag(10);
        encoder.string(key);
      }
      if (value.length !== 0) {
        encoder.tag(18);
        encoder.varint(value.length);
        encoder.bytes(value);
      }
    });
  }
  if (message.ready !== 0) {
    encoder.tag(24);
    encoder.varint(message.ready);
  }
}

export function encodeResourceBytes(message: ResourceMessage): Buffer {
  write(message);
  return encoder.take();
}

/**
 * The bytes go to the writer straight from the scratch buffer, which the next resource is
 * written into. That is right while the writer has copied them by the time the resource's field
 * is closed: every Resource is a nested message, which the SDK's writer (@bufbuild/protobuf's
 * BinaryWriter) closes with `join`, and it copies in `raw` (2.17) or in `join` (earlier 2.x).
 */
export function encodeResource(message: ResourceMessage, writer: Writer): Writer {
  write(message);
  writer.raw(encoder.written());
  return writer;
}

/** The SDK's generated codec, kept for the equivalence tests. */
export const generatedResourceCodec = { encode: Resource.encode.bind(Resource), decode: Resource.decode.bind(Resource) };

let installed = false;

/** Replaces the SDK's Resource codec with this one, for every message that nests a Resource. */
export function installFastResourceCodec(): void {
  if (installed) return;
  installed = true;
  const codec = Resource as unknown as { encode: typeof encodeResource; decode: typeof decodeResource };
  codec.encode = encodeResource;
  codec.decode = decodeResource;
}
