// Random message instances from the merged schema (src/protocol/generated/schema.ts), written
// independently of the generated codecs: absent fields get the schema default, present fields a
// random value of their type, nullable ones sometimes null, tagged ones sometimes their default,
// flexible structs sometimes unknown tagged fields.

import type { SchemaField, SchemaMessage, VersionRanges } from '../../../../src/protocol/generated/schema.js';

/** A small seeded PRNG (mulberry32) so failures reproduce. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  bytes(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) out[i] = this.int(0, 255);
    return out;
  }
}

export function inRanges(ranges: VersionRanges, version: number): boolean {
  return ranges.some(([lo, hi]) => version >= lo && version <= hi);
}

const ZERO_UUID = Buffer.alloc(16).toString('base64url');
const STRING_ALPHABET = ['a', 'b', 'Z', '0', '-', '_', '.', ' ', 'é', 'ß', '中', '😀'];

export function camel(name: string): string {
  return name[0]!.toLowerCase() + name.slice(1);
}

interface Ctx {
  schema: SchemaMessage;
  version: number;
  flexible: boolean;
  rng: Rng;
  depth: number;
}

function isStructType(type: string): boolean {
  return /^[A-Z]/.test(type);
}

/** The value a decoder gives a field absent from the version (Kafka's default rules). */
export function defaultValue(schema: SchemaMessage, field: SchemaField): unknown {
  if (field.default === 'null') return null;
  const type = field.type;
  if (type.startsWith('[]')) return [];
  if (isStructType(type)) return defaultStruct(schema, type);
  const raw = field.default;
  switch (type) {
    case 'bool':
      return raw === 'true';
    case 'int64':
      return BigInt(raw ?? '0');
    case 'string':
      return raw ?? '';
    case 'uuid':
      return ZERO_UUID;
    case 'bytes':
      return Buffer.alloc(0);
    case 'records':
      return field.nullableVersions.length > 0 ? null : Buffer.alloc(0);
    default:
      return Number(raw ?? '0');
  }
}

function defaultStruct(schema: SchemaMessage, structName: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of structFields(schema, structName)) out[camel(f.name)] = defaultValue(schema, f);
  return out;
}

function structFields(schema: SchemaMessage, structName: string): readonly SchemaField[] {
  const fields = schema.structs[structName];
  if (fields === undefined) throw new Error(`no struct ${structName} in ${schema.name}`);
  return fields;
}

function randomString(rng: Rng): string {
  let s = '';
  const length = rng.int(0, 8);
  for (let i = 0; i < length; i++) s += STRING_ALPHABET[rng.int(0, STRING_ALPHABET.length - 1)];
  return s;
}

function randomPrimitive(ctx: Ctx, type: string): unknown {
  const rng = ctx.rng;
  switch (type) {
    case 'bool':
      return rng.chance(0.5);
    case 'int8':
      return rng.int(-128, 127);
    case 'int16':
      return rng.int(-32768, 32767);
    case 'uint16':
      return rng.int(0, 65535);
    case 'int32':
      return rng.int(-2147483648, 2147483647);
    case 'uint32':
      return rng.int(0, 4294967295);
    case 'int64':
      return rng.bytes(8).readBigInt64BE(0);
    case 'float64':
      return (rng.next() - 0.5) * 10 ** rng.int(-5, 12);
    case 'string':
      return randomString(rng);
    case 'uuid':
      return rng.chance(0.1) ? ZERO_UUID : rng.bytes(16).toString('base64url');
    case 'bytes':
      return rng.bytes(rng.int(0, 12));
    case 'records':
      // Sometimes large enough for the Writer to append it by reference.
      return rng.bytes(rng.chance(0.3) ? rng.int(256, 600) : rng.int(0, 40));
    default:
      throw new Error(`unknown primitive ${type}`);
  }
}

function randomValue(ctx: Ctx, field: SchemaField, type: string): unknown {
  if (inRanges(field.nullableVersions, ctx.version) && ctx.rng.chance(0.2)) return null;
  if (type.startsWith('[]')) {
    const elementType = type.slice(2);
    const count = ctx.depth > 3 ? 0 : ctx.rng.int(0, ctx.depth > 1 ? 2 : 3);
    const out: unknown[] = [];
    for (let i = 0; i < count; i++) out.push(randomElement(ctx, elementType));
    return out;
  }
  if (isStructType(type)) return randomStructValue({ ...ctx, depth: ctx.depth + 1 }, type);
  return randomPrimitive(ctx, type);
}

function randomElement(ctx: Ctx, type: string): unknown {
  if (isStructType(type)) return randomStructValue({ ...ctx, depth: ctx.depth + 1 }, type);
  return randomPrimitive(ctx, type);
}

function randomUnknownTagged(ctx: Ctx): Array<{ tag: number; data: Buffer }> | undefined {
  if (!ctx.flexible || !ctx.rng.chance(0.2)) return undefined;
  const tags = new Set<number>();
  const count = ctx.rng.int(1, 2);
  while (tags.size < count) tags.add(ctx.rng.int(1000, 1100));
  return [...tags].sort((a, b) => a - b).map((tag) => ({ tag, data: ctx.rng.bytes(ctx.rng.int(0, 6)) }));
}

function randomStructValue(ctx: Ctx, structName: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of structFields(ctx.schema, structName)) {
    const present = inRanges(f.versions, ctx.version);
    const tagged = inRanges(f.taggedVersions, ctx.version);
    const keepDefault = !present || (tagged && ctx.rng.chance(0.4));
    out[camel(f.name)] = keepDefault ? defaultValue(ctx.schema, f) : randomValue(ctx, f, f.type);
  }
  const unknown = randomUnknownTagged(ctx);
  if (unknown !== undefined) out['unknownTaggedFields'] = unknown;
  return out;
}

/** A random instance of the message at the version, as its decoder would return it. */
export function randomMessage(schema: SchemaMessage, version: number, rng: Rng): Record<string, unknown> {
  const flexible = inRanges(schema.flexibleVersions, version);
  return randomStructValue({ schema, version, flexible, rng, depth: 0 }, schema.name);
}
