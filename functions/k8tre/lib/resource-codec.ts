import { Resource } from '@crossplane-org/function-sdk-typescript';

// A faster wire codec for the protobuf message that carries every composed resource
// (crossplane's Resource: a google.protobuf.Struct, connection details, readiness). The SDK's
// generated codec builds an intermediate object per Struct, map entry and Value, then unwraps
// them; on a 200-environment network's steady state (about 6,000 resources, 10 MB) that was
// most of each call's time and memory (npm run bench). This one reads and writes plain JSON
// values directly, with the same bytes on the wire and the same decoded values: a property
// test (test/unit/resource-codec.test.ts) holds it to the generated codec, which it keeps.
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

// ---- decoding ----

/** Nested structs and lists at least this large are decoded on first read... */
const DEFER_AT_BYTES = 96;
/**
 * ...down to this JSON level (0: the resource's own fields, 1: theirs, e.g. spec.forProvider,
 * status.atProvider). Deeper, whatever is read is read whole, and a getter costs more than it saves.
 */
const DEFER_TO_LEVEL = 1;

/** A nested struct or list, located but not yet decoded. */
class Deferred {
  constructor(
    readonly decoder: Decoder,
    readonly start: number,
    readonly length: number,
    readonly depth: number,
    readonly level: number,
    readonly list: boolean,
  ) {}
}

/** A data property from first read on; until then, a getter that decodes it. */
function defer(object: Record<string, Json>, key: string, deferred: Deferred): void {
  Object.defineProperty(object, key, {
    configurable: true,
    enumerable: true,
    get() {
      const value = deferred.decoder.decodeDeferred(deferred);
      Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
      return value;
    },
    set(value: Json) {
      Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
    },
  });
}

class Decoder {
  readonly text: Buffer;
  readonly view: DataView;
  pos: number;

  constructor(
    readonly buf: Uint8Array,
    pos: number,
  ) {
    this.text = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = pos;
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
    return start === end ? '' : this.text.toString('utf8', start, end);
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

  struct(length: number, depth: number, level: number): Record<string, Json> {
    if (depth >= MAX_DEPTH) throw new Error(RECURSION_ERROR);
    const end = this.end(length);
    const object: Record<string, Json> = {};
    while (this.pos < end) {
      const tag = this.varint();
      if (tag === 10) {
        const [key, value] = this.entry(this.varint(), depth + 1, level);
        if (value instanceof Deferred) defer(object, key, value);
        else if (value === undefined) continue;
        // An own property, never the object's prototype (the generated codec sets the
        // prototype, so such a key changes what every other key reads).
        else if (key === '__proto__') Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
        else object[key] = value;
        continue;
      }
      if ((tag & 7) === 4 || tag === 0) break;
      this.skip(tag & 7);
    }
    return object;
  }

  /** Decodes a nested struct or list found earlier, wherever the decoder is now. */
  decodeDeferred(deferred: Deferred): Json {
    const saved = this.pos;
    this.pos = deferred.start;
    try {
      return deferred.list ? this.list(deferred.length, deferred.depth, deferred.level) : this.struct(deferred.length, deferred.depth, deferred.level);
    } finally {
      this.pos = saved;
    }
  }

  entry(length: number, depth: number, level: number): [string, Json] {
    if (depth >= MAX_DEPTH) throw new Error(RECURSION_ERROR);
    const end = this.end(length);
    let key = '';
    let value: Json = undefined;
    while (this.pos < end) {
      const tag = this.varint();
      if (tag === 10) key = this.string();
      else if (tag === 18) value = this.value(this.varint(), depth + 1, level, level <= DEFER_TO_LEVEL);
      else {
        if ((tag & 7) === 4 || tag === 0) break;
        this.skip(tag & 7);
      }
    }
    return [key, value];
  }

  /**
   * A Value; when several of its fields are set, the generated unwrap's precedence decides.
   * In a struct field (`deferrable`), a large nested struct or list is only located here and
   * decoded when first read: a function reads a few fields of each observed resource (status,
   * IDs, conditions), and most of a large request is never looked at.
   */
  value(length: number, depth: number, level: number, deferrable = false): Json {
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
          numberValue = this.view.getFloat64(this.pos, true);
          this.pos = this.end(8);
          continue;
        case 26:
          stringValue = this.string();
          continue;
        case 32:
          boolValue = this.varint() !== 0;
          continue;
        case 42:
        case 50: {
          const nested = this.varint();
          if (deferrable && nested >= DEFER_AT_BYTES && this.pos + nested === end) {
            // Only when it is the Value's last field, so the precedence above cannot differ.
            const deferred = new Deferred(this, this.pos, nested, depth + 1, level + 1, tag === 50);
            this.pos = this.end(nested);
            if (depth + 1 >= MAX_DEPTH) throw new Error(RECURSION_ERROR);
            if (tag === 42) structValue = deferred as unknown as Record<string, Json>;
            else listValue = deferred as unknown as Json[];
          } else if (tag === 42) structValue = this.struct(nested, depth + 1, level + 1);
          else listValue = this.list(nested, depth + 1, level + 1);
          continue;
        }
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

  list(length: number, depth: number, level: number): Json[] {
    if (depth >= MAX_DEPTH) throw new Error(RECURSION_ERROR);
    const end = this.end(length);
    const values: Json[] = [];
    while (this.pos < end) {
      const tag = this.varint();
      if (tag === 10) {
        values.push(this.value(this.varint(), depth + 1, level));
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
  const decoder = new Decoder(reader.buf, reader.pos);
  const end = length === undefined ? reader.len : decoder.end(length);
  const message: ResourceMessage = { resource: undefined, connectionDetails: {}, ready: 0 };
  while (decoder.pos < end) {
    const tag = decoder.varint();
    if (tag === 10) message.resource = decoder.struct(decoder.varint(), depth + 1, 0);
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

// Doubles go through one scratch buffer, little-endian as protobuf wants them.
const SCRATCH_BYTES = new Uint8Array(8);
const SCRATCH_VIEW = new DataView(SCRATCH_BYTES.buffer);

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * Two passes: sizes first (pushed in the order the writer needs them, so each nested length
 * is computed once), then one buffer of exactly that size.
 */
class Encoder {
  private readonly sizes: number[] = [];
  /** Each object's keys, taken once in the size pass and reused in the write pass. */
  private readonly keyLists: string[][] = [];
  private nextKeys = 0;
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private next = 0;

  static varintSize(value: number): number {
    if (value < 0) return 10;
    if (value < 0x80) return 1;
    if (value < 0x4000) return 2;
    if (value < 0x200000) return 3;
    if (value < 0x10000000) return 4;
    return 5;
  }

  private lengthDelimited(size: number): number {
    return Encoder.varintSize(size) + size;
  }

  private stringSize(text: string): number {
    const bytes = text.length <= SHORT_STRING && isAscii(text) ? text.length : Buffer.byteLength(text, 'utf8');
    this.sizes.push(bytes);
    return bytes;
  }

  sizeOfStruct(object: object): number {
    const slot = this.sizes.push(0) - 1;
    let size = 0;
    const keys = Object.keys(object);
    this.keyLists.push(keys);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const value = (object as Record<string, Json>)[key];
      if (value === undefined) continue;
      size += 1 + this.lengthDelimited(this.sizeOfEntry(key, value));
    }
    this.sizes[slot] = size;
    return size;
  }

  private sizeOfEntry(key: string, value: Json): number {
    const slot = this.sizes.push(0) - 1;
    let size = key === '' ? 0 : 1 + this.lengthDelimited(this.stringSize(key));
    size += 1 + this.lengthDelimited(this.sizeOfValue(value));
    this.sizes[slot] = size;
    return size;
  }

  private sizeOfValue(value: Json): number {
    const slot = this.sizes.push(0) - 1;
    let size: number;
    if (value === null) size = 2;
    else if (typeof value === 'boolean') size = 2;
    else if (typeof value === 'number') size = 9;
    else if (typeof value === 'string') size = 1 + this.lengthDelimited(this.stringSize(value));
    else if (Array.isArray(value)) size = 1 + this.lengthDelimited(this.sizeOfList(value as Json[]));
    else if (typeof value === 'object') size = 1 + this.lengthDelimited(this.sizeOfStruct(value));
    else if (value === undefined) size = 0;
    else throw new Error(`Unsupported any value type: ${typeof value}`);
    this.sizes[slot] = size;
    return size;
  }

  private sizeOfList(values: readonly Json[]): number {
    const slot = this.sizes.push(0) - 1;
    let size = 0;
    for (const value of values) size += 1 + this.lengthDelimited(this.sizeOfValue(value));
    this.sizes[slot] = size;
    return size;
  }

  // The writes mirror the size passes exactly, consuming `sizes` in the same order.

  start(total: number): void {
    this.buf = Buffer.allocUnsafe(total);
    this.pos = 0;
    this.next = 0;
    this.nextKeys = 0;
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  tag(tag: number): void {
    this.buf[this.pos++] = tag;
  }

  raw(bytes: Uint8Array): void {
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  varint(value: number): void {
    if (value < 0) {
      // int32 as protobuf writes it: sign-extended to 64 bits, ten bytes.
      let lo = value >>> 0;
      for (let i = 0; i < 4; i++) {
        this.buf[this.pos++] = (lo & 0x7f) | 0x80;
        lo >>>= 7;
      }
      this.buf[this.pos++] = (lo & 0x0f) | 0x70 | 0x80;
      for (let i = 0; i < 4; i++) this.buf[this.pos++] = 0xff;
      this.buf[this.pos++] = 0x01;
      return;
    }
    while (value > 0x7f) {
      this.buf[this.pos++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    this.buf[this.pos++] = value;
  }

  private take(): number {
    return this.sizes[this.next++]!;
  }

  private string(text: string): void {
    const bytes = this.take();
    this.varint(bytes);
    if (bytes === text.length && bytes <= SHORT_STRING) {
      // ASCII: one byte per code unit (stringSize measured it so).
      for (let i = 0; i < bytes; i++) this.buf[this.pos++] = text.charCodeAt(i);
      return;
    }
    this.pos += this.buf.write(text, this.pos, bytes, 'utf8');
  }

  writeStruct(object: object): void {
    this.take();
    const keys = this.keyLists[this.nextKeys++]!;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const value = (object as Record<string, Json>)[key];
      if (value === undefined) continue;
      this.tag(10);
      this.writeEntry(key, value);
    }
  }

  private writeEntry(key: string, value: Json): void {
    this.varint(this.take());
    if (key !== '') {
      this.tag(10);
      this.string(key);
    }
    this.tag(18);
    this.writeValue(value);
  }

  private writeValue(value: Json): void {
    this.varint(this.take());
    if (value === null) {
      this.tag(8);
      this.tag(0);
    } else if (typeof value === 'boolean') {
      this.tag(32);
      this.tag(value ? 1 : 0);
    } else if (typeof value === 'number') {
      this.tag(17);
      SCRATCH_VIEW.setFloat64(0, value, true);
      this.buf.set(SCRATCH_BYTES, this.pos);
      this.pos += 8;
    } else if (typeof value === 'string') {
      this.tag(26);
      this.string(value);
    } else if (Array.isArray(value)) {
      this.tag(50);
      this.writeList(value as Json[]);
    } else if (typeof value === 'object') {
      this.tag(42);
      this.varint(this.sizes[this.next]!);
      this.writeStruct(value);
    }
  }

  private writeList(values: readonly Json[]): void {
    this.varint(this.take());
    for (const value of values) {
      this.tag(10);
      this.writeValue(value);
    }
  }
}

export function encodeResourceBytes(message: ResourceMessage): Buffer {
  const encoder = new Encoder();
  let total = 0;
  let structSize = -1;
  if (message.resource !== undefined) {
    structSize = encoder.sizeOfStruct(message.resource);
    total += 1 + Encoder.varintSize(structSize) + structSize;
  }
  const details = Object.entries(message.connectionDetails).map(([key, value]) => {
    const keyBytes = Buffer.byteLength(key, 'utf8');
    const size =
      (key === '' ? 0 : 1 + Encoder.varintSize(keyBytes) + keyBytes) + (value.length === 0 ? 0 : 1 + Encoder.varintSize(value.length) + value.length);
    total += 1 + Encoder.varintSize(size) + size;
    return { key, keyBytes, value, size };
  });
  if (message.ready !== 0) total += 1 + Encoder.varintSize(message.ready);

  encoder.start(total);
  if (message.resource !== undefined) {
    encoder.tag(10);
    encoder.varint(structSize);
    encoder.writeStruct(message.resource);
  }
  for (const { key, keyBytes, value, size } of details) {
    encoder.tag(18);
    encoder.varint(size);
    if (key !== '') {
      encoder.tag(10);
      encoder.varint(keyBytes);
      encoder.raw(Buffer.from(key, 'utf8'));
    }
    if (value.length !== 0) {
      encoder.tag(18);
      encoder.varint(value.length);
      encoder.raw(value);
    }
  }
  if (message.ready !== 0) {
    encoder.tag(24);
    encoder.varint(message.ready);
  }
  return encoder.bytes();
}

export function encodeResource(message: ResourceMessage, writer: Writer): Writer {
  writer.raw(encodeResourceBytes(message));
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
