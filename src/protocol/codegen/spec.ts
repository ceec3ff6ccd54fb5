// Loads Kafka's JSON message definitions (JSON with // comments). Versions at or above current/'s
// minimum come from current/; the versions Kafka 4.0 removed come from current/ extended down to
// the floors in legacy-floors.json, cross-checked against legacy/ when it is present. The result is
// a schema where every version attribute is an explicit version set.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Sorted, disjoint, inclusive [low, high] ranges. */
export type VersionSet = ReadonlyArray<readonly [number, number]>;

export type FieldType =
  | { kind: 'primitive'; name: PrimitiveName }
  | { kind: 'array'; element: FieldType }
  | { kind: 'struct'; struct: string };

export const PRIMITIVES = [
  'bool', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'string', 'bytes', 'records', 'uuid',
] as const;
export type PrimitiveName = (typeof PRIMITIVES)[number];

export interface FieldSpec {
  /** Kafka's name, e.g. 'TopicData'. */
  name: string;
  type: FieldType;
  versions: VersionSet;
  nullableVersions: VersionSet;
  taggedVersions: VersionSet;
  tag: number | undefined;
  /** The raw default attribute, or undefined. */
  default: string | undefined;
  about: string;
}

export interface StructSpec {
  /** Kafka's struct name, e.g. 'TopicProduceData' (the message's name for the top level). */
  name: string;
  fields: FieldSpec[];
}

export interface MessageSpec {
  name: string;
  type: 'request' | 'response' | 'data';
  apiKey: number | undefined;
  minVersion: number;
  maxVersion: number;
  /** The lowest version that came from current/ (equal to minVersion when legacy added none). */
  currentMinVersion: number;
  flexibleVersions: VersionSet;
  listeners: string[];
  latestVersionUnstable: boolean;
  /** The top level plus every nested and common struct, by Kafka struct name. */
  root: StructSpec;
  structs: Map<string, StructSpec>;
}

// ---- raw JSON ----

interface RawField {
  name: string;
  type: string;
  versions?: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  default?: string | number | boolean;
  flexibleVersions?: string;
  about?: string;
  fields?: RawField[];
}

interface RawMessage {
  name: string;
  type: string;
  apiKey?: number;
  validVersions: string;
  flexibleVersions?: string;
  listeners?: string[];
  latestVersionUnstable?: boolean;
  fields: RawField[];
  commonStructs?: Array<{ name: string; versions?: string; fields: RawField[] }>;
}

/** Removes // comments outside strings. */
export function stripJsonComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else {
      out += c;
    }
  }
  return out;
}

function loadRaw(path: string): RawMessage {
  return JSON.parse(stripJsonComments(readFileSync(path, 'utf8'))) as RawMessage;
}

// ---- version sets ----

/** Parses '3+', '0-2', '5', 'none' into a set clipped to [0, ceiling]. */
export function parseVersions(text: string | undefined, ceiling: number): VersionSet {
  if (text === undefined || text === 'none' || text === '') return [];
  const plus = /^(\d+)\+$/.exec(text);
  if (plus) return normalize([[Number(plus[1]), ceiling]]);
  const range = /^(\d+)-(\d+)$/.exec(text);
  if (range) return normalize([[Number(range[1]), Math.min(Number(range[2]), ceiling)]]);
  if (/^\d+$/.test(text)) return normalize([[Number(text), Math.min(Number(text), ceiling)]]);
  throw new Error(`codegen: bad version range ${JSON.stringify(text)}`);
}

function normalize(ranges: Array<readonly [number, number]>): VersionSet {
  const sorted = ranges.filter(([lo, hi]) => lo <= hi).sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

export function intersect(set: VersionSet, lo: number, hi: number): VersionSet {
  return normalize(set.map(([a, b]) => [Math.max(a, lo), Math.min(b, hi)] as const));
}

export function union(a: VersionSet, b: VersionSet): VersionSet {
  return normalize([...a, ...b]);
}

export function contains(set: VersionSet, version: number): boolean {
  return set.some(([lo, hi]) => version >= lo && version <= hi);
}

export function isEmpty(set: VersionSet): boolean {
  return set.length === 0;
}

/** Versions of `within` that are also in `set` cover all of `within`. */
export function covers(set: VersionSet, within: VersionSet): boolean {
  return within.every(([lo, hi]) => {
    for (let v = lo; v <= hi; v++) if (!contains(set, v)) return false;
    return true;
  });
}

// ---- conversion from raw ----

function parseType(text: string): FieldType {
  if (text.startsWith('[]')) return { kind: 'array', element: parseType(text.slice(2)) };
  if ((PRIMITIVES as readonly string[]).includes(text)) return { kind: 'primitive', name: text as PrimitiveName };
  if (/^[A-Z][A-Za-z0-9]*$/.test(text)) return { kind: 'struct', struct: text };
  throw new Error(`codegen: unknown type ${text}`);
}

function structNameOf(type: FieldType): string | undefined {
  if (type.kind === 'struct') return type.struct;
  if (type.kind === 'array') return structNameOf(type.element);
  return undefined;
}

interface Window {
  lo: number;
  hi: number;
}

function convertField(raw: RawField, window: Window, structs: Map<string, StructSpec>, owner: string): FieldSpec {
  if (raw.flexibleVersions !== undefined) {
    throw new Error(`codegen: field-level flexibleVersions on ${owner}.${raw.name} is not supported`);
  }
  const clip = (text: string | undefined): VersionSet => intersect(parseVersions(text, window.hi), window.lo, window.hi);
  const type = parseType(raw.type);
  const structName = structNameOf(type);
  if (structName !== undefined && raw.fields !== undefined) {
    structs.set(structName, { name: structName, fields: raw.fields.map((f) => convertField(f, window, structs, structName)) });
  }
  return {
    name: raw.name,
    type,
    versions: clip(raw.versions),
    nullableVersions: clip(raw.nullableVersions),
    taggedVersions: clip(raw.taggedVersions),
    tag: raw.tag,
    default: raw.default === undefined ? undefined : String(raw.default),
    about: raw.about ?? '',
  };
}

interface Converted {
  raw: RawMessage;
  min: number;
  max: number;
  root: StructSpec;
  structs: Map<string, StructSpec>;
}

function convert(raw: RawMessage, window: Window): Converted {
  const structs = new Map<string, StructSpec>();
  for (const common of raw.commonStructs ?? []) {
    structs.set(common.name, { name: common.name, fields: common.fields.map((f) => convertField(f, window, structs, common.name)) });
  }
  const root = { name: raw.name, fields: raw.fields.map((f) => convertField(f, window, structs, raw.name)) };
  return { raw, min: window.lo, max: window.hi, root, structs };
}

// ---- merging legacy into current ----

function sameType(a: FieldType, b: FieldType): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function mergeField(cur: FieldSpec, old: FieldSpec, owner: string): FieldSpec {
  if (!sameType(cur.type, old.type)) {
    throw new Error(`codegen: ${owner}.${cur.name} changed type between legacy and current`);
  }
  if (cur.tag !== old.tag && !isEmpty(old.taggedVersions) && !isEmpty(cur.taggedVersions)) {
    throw new Error(`codegen: ${owner}.${cur.name} changed tag between legacy and current`);
  }
  return {
    ...cur,
    versions: union(cur.versions, old.versions),
    nullableVersions: union(cur.nullableVersions, old.nullableVersions),
    taggedVersions: union(cur.taggedVersions, old.taggedVersions),
    tag: cur.tag ?? old.tag,
  };
}

/** Merges field lists by name; legacy-only fields go right after their legacy predecessor. */
function mergeFields(cur: FieldSpec[], old: FieldSpec[], owner: string): FieldSpec[] {
  const oldByName = new Map(old.map((f) => [f.name, f]));
  const merged = cur.map((f) => (oldByName.has(f.name) ? mergeField(f, oldByName.get(f.name)!, owner) : f));
  const curNames = new Set(cur.map((f) => f.name));
  let previous: string | undefined;
  for (const f of old) {
    if (!curNames.has(f.name)) {
      const at = previous === undefined ? 0 : merged.findIndex((m) => m.name === previous) + 1;
      merged.splice(at, 0, f);
    }
    previous = f.name;
  }
  return merged;
}

function mergeStructs(cur: Map<string, StructSpec>, old: Map<string, StructSpec>, owner: string): Map<string, StructSpec> {
  const merged = new Map<string, StructSpec>();
  for (const [name, s] of cur) {
    const o = old.get(name);
    merged.set(name, o ? { name, fields: mergeFields(s.fields, o.fields, `${owner}.${name}`) } : s);
  }
  for (const [name, s] of old) if (!merged.has(name)) merged.set(name, s);
  return merged;
}

function toMessage(cur: Converted, old: Converted | undefined, minVersion: number, currentMinVersion: number): MessageSpec {
  const raw = cur.raw;
  const curFlex = intersect(parseVersions(raw.flexibleVersions, cur.max), old ? currentMinVersion : minVersion, cur.max);
  const oldFlex = old ? intersect(parseVersions(old.raw.flexibleVersions, cur.max), minVersion, currentMinVersion - 1) : [];
  const root = old ? { name: raw.name, fields: mergeFields(cur.root.fields, old.root.fields, raw.name) } : cur.root;
  const structs = old ? mergeStructs(cur.structs, old.structs, raw.name) : cur.structs;
  if (raw.type !== 'request' && raw.type !== 'response' && raw.type !== 'data') {
    throw new Error(`codegen: ${raw.name} has unexpected type ${raw.type}`);
  }
  return {
    name: raw.name,
    type: raw.type,
    apiKey: raw.apiKey,
    minVersion,
    maxVersion: cur.max,
    currentMinVersion,
    flexibleVersions: union(curFlex, oldFlex),
    listeners: raw.listeners ?? [],
    latestVersionUnstable: raw.latestVersionUnstable === true,
    root,
    structs,
  };
}

// ---- legacy floors (the versions Kafka 4.0 removed, without legacy/) ----

interface RemovedField {
  message: string;
  path: string;
  after: string;
  field: RawField;
}

export interface LegacyFloors {
  floors: Record<string, number>;
  removedFields: RemovedField[];
}

export function loadLegacyFloors(path: string): LegacyFloors {
  return JSON.parse(readFileSync(path, 'utf8')) as LegacyFloors;
}

function apiNameOf(messageName: string): string {
  return messageName.replace(/(Request|Response)$/, '');
}

/** The struct a dotted field path ('Topics.Partitions') leads to from the message's top level. */
function structAtPath(converted: Converted, path: string): StructSpec {
  let struct = converted.root;
  for (const name of path.split('.')) {
    const field = struct.fields.find((f) => f.name === name);
    const structName = field && structNameOf(field.type);
    const next = structName === undefined ? undefined : converted.structs.get(structName);
    if (next === undefined) throw new Error(`codegen: legacy-floors path ${path} not found in ${converted.raw.name}`);
    struct = next;
  }
  return struct;
}

function addRemovedFields(converted: Converted, floors: LegacyFloors, window: Window): void {
  for (const removed of floors.removedFields.filter((r) => r.message === converted.raw.name)) {
    const struct = structAtPath(converted, removed.path);
    const at = struct.fields.findIndex((f) => f.name === removed.after);
    if (at < 0) throw new Error(`codegen: legacy-floors: no ${removed.after} in ${removed.message}.${removed.path}`);
    struct.fields.splice(at + 1, 0, convertField(removed.field, window, converted.structs, struct.name));
  }
}

/**
 * Loads one message: current/ extended down to its legacy floor (legacy-floors.json). When
 * legacy/ holds the message too, the same versions are built from it and must match exactly.
 */
export function loadMessage(specsDir: string, fileName: string, floors: LegacyFloors): MessageSpec {
  const curRaw = loadRaw(join(specsDir, 'current', fileName));
  const curValid = parseVersions(curRaw.validVersions, 1000);
  const curMin = curValid[0]![0];
  const curMax = curValid[curValid.length - 1]![1];
  const floor = curRaw.type === 'data' ? undefined : floors.floors[apiNameOf(curRaw.name)];
  const lo = floor === undefined ? curMin : Math.min(floor, curMin);
  const window = { lo, hi: curMax };
  const extended = convert(curRaw, window);
  addRemovedFields(extended, floors, window);
  const message = toMessage(extended, undefined, lo, curMin);
  const fromLegacy = loadFromLegacy(specsDir, fileName, curRaw, curMin, curMax);
  if (fromLegacy !== undefined) assertSameSchema(message, fromLegacy);
  else if (lo < curMin && existsSync(join(specsDir, 'legacy'))) {
    throw new Error(`codegen: legacy-floors.json gives ${curRaw.name} versions below ${curMin} that legacy/ does not have`);
  }
  return message;
}

/** The message as current/ + legacy/ describe it, or undefined when legacy/ adds no versions. */
function loadFromLegacy(specsDir: string, fileName: string, curRaw: RawMessage, curMin: number, curMax: number): MessageSpec | undefined {
  const legacyPath = join(specsDir, 'legacy', fileName);
  if (!existsSync(legacyPath) || curMin === 0) return undefined;
  const oldRaw = loadRaw(legacyPath);
  const oldMin = parseVersions(oldRaw.validVersions, 1000)[0]![0];
  if (oldMin >= curMin) return undefined;
  const cur = convert(curRaw, { lo: curMin, hi: curMax });
  return toMessage(cur, convert(oldRaw, { lo: oldMin, hi: curMin - 1 }), oldMin, curMin);
}

/** Everything but the prose must agree; a difference means legacy-floors.json is out of date. */
function assertSameSchema(fromFloors: MessageSpec, fromLegacy: MessageSpec): void {
  const normalize = (m: MessageSpec): string =>
    JSON.stringify({ ...m, structs: [...m.structs.entries()].sort(([a], [b]) => a.localeCompare(b)) }, (key, value) =>
      key === 'about' || key === 'raw' ? undefined : value,
    );
  if (normalize(fromFloors) !== normalize(fromLegacy)) {
    throw new Error(`codegen: ${fromFloors.name}: legacy-floors.json and legacy/ describe different schemas; update legacy-floors.json`);
  }
}

export interface ApiSpec {
  apiKey: number;
  /** Kafka's name without the suffix: 'Produce'. */
  name: string;
  request: MessageSpec;
  response: MessageSpec;
}

export interface Specs {
  apis: ApiSpec[];
  data: MessageSpec[];
}

/** Every broker API (request listeners include 'broker') and every data message. */
export function loadSpecs(specsDir: string, floors: LegacyFloors): Specs {
  const files = readdirSync(join(specsDir, 'current')).filter((f) => f.endsWith('.json')).sort();
  const apis: ApiSpec[] = [];
  const data: MessageSpec[] = [];
  for (const file of files) {
    if (file.endsWith('Request.json')) {
      const request = loadMessage(specsDir, file, floors);
      if (!request.listeners.includes('broker')) continue;
      const response = loadMessage(specsDir, file.replace(/Request\.json$/, 'Response.json'), floors);
      checkPair(request, response);
      apis.push({ apiKey: request.apiKey!, name: request.name.replace(/Request$/, ''), request, response });
    } else if (!file.endsWith('Response.json') && loadRaw(join(specsDir, 'current', file)).type === 'data') {
      data.push(loadMessage(specsDir, file, floors));
    }
  }
  apis.sort((a, b) => a.apiKey - b.apiKey);
  return { apis, data };
}

function checkPair(request: MessageSpec, response: MessageSpec): void {
  if (request.apiKey === undefined || request.apiKey !== response.apiKey) {
    throw new Error(`codegen: ${request.name} and ${response.name} disagree on apiKey`);
  }
  if (request.minVersion !== response.minVersion || request.maxVersion !== response.maxVersion) {
    throw new Error(`codegen: ${request.name} and ${response.name} disagree on versions`);
  }
  if (JSON.stringify(request.flexibleVersions) !== JSON.stringify(response.flexibleVersions)) {
    throw new Error(`codegen: ${request.name} and ${response.name} disagree on flexible versions`);
  }
}
