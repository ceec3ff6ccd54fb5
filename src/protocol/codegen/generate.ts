// Turns the specs folder into the set of generated files (path relative to the package root ->
// content). Pure: main.ts writes them, the "committed output" test compares them.

import { join } from 'node:path';
import { packageRoot } from '../../util/package-root.js';
import { camelName, emitApiSection, emitCodecsModule, emitDataSection, firstFlexible, GENERATED_HEADER } from './emit.js';
import { loadLegacyFloors, loadSpecs, type ApiSpec, type FieldType, type MessageSpec, type Specs } from './spec.js';

export const GENERATED_DIR = 'src/protocol/generated';
export const PROTOCOL_DOC = 'docs/PROTOCOL.md';

export const LEGACY_FLOORS = 'src/protocol/codegen/legacy-floors.json';

export function generateFiles(specsDir: string, floorsPath = join(packageRoot(), LEGACY_FLOORS)): Map<string, string> {
  const specs = loadSpecs(specsDir, loadLegacyFloors(floorsPath));
  const files = new Map<string, string>();
  const sections = [
    ...specs.apis.map((api) => emitApiSection(api.apiKey, api.name, api.request, api.response)),
    ...specs.data.map(emitDataSection),
  ];
  files.set(`${GENERATED_DIR}/codecs.ts`, emitCodecsModule(sections));
  files.set(`${GENERATED_DIR}/registry.ts`, emitRegistry(specs));
  files.set(`${GENERATED_DIR}/index.ts`, emitIndex(specs));
  files.set(`${GENERATED_DIR}/schema.ts`, emitSchema(specs));
  files.set(PROTOCOL_DOC, emitDoc(specs));
  return files;
}

function emitRegistry(specs: Specs): string {
  const imports = [...specs.apis.map((a) => `${camelName(a.name)}Api`), ...specs.data.map((m) => `${camelName(m.name)}Data`)];
  const keys = specs.apis.map((a) => `  ${a.name}: ${a.apiKey},`);
  return [
    GENERATED_HEADER,
    '// Every broker API Rill has codecs for, by api key, and every data message by name.',
    '',
    "import type { ApiDescriptor, DataDescriptor } from '../primitives/api.js';",
    'import {',
    ...imports.map((name) => `  ${name},`),
    "} from './codecs.js';",
    '',
    '/** Kafka api keys by name. */',
    'export const ApiKeys = {',
    ...keys,
    '} as const;',
    '',
    'export const apis: ReadonlyMap<number, ApiDescriptor> = new Map<number, ApiDescriptor>([',
    ...specs.apis.map((a) => `  [${a.apiKey}, ${camelName(a.name)}Api as ApiDescriptor],`),
    ']);',
    '',
    'export const dataMessages: ReadonlyMap<string, DataDescriptor> = new Map<string, DataDescriptor>([',
    ...specs.data.map((m) => `  ['${m.name}', ${camelName(m.name)}Data as DataDescriptor],`),
    ']);',
    '',
  ].join('\n');
}

function emitIndex(specs: Specs): string {
  return [
    GENERATED_HEADER,
    '',
    "export { ApiKeys, apis, dataMessages } from './registry.js';",
    "export * from './codecs.js';",
    '',
  ].join('\n');
}

// ---- schema data for tests (random instances) ----

interface SchemaField {
  name: string;
  type: string;
  versions: Array<readonly [number, number]>;
  nullableVersions: Array<readonly [number, number]>;
  taggedVersions: Array<readonly [number, number]>;
  tag?: number;
  default?: string;
}

function typeText(type: FieldType): string {
  if (type.kind === 'array') return `[]${typeText(type.element)}`;
  if (type.kind === 'struct') return type.struct;
  return type.name;
}

function schemaOf(message: MessageSpec): object {
  const structs: Record<string, SchemaField[]> = {};
  const toFields = (fields: MessageSpec['root']['fields']): SchemaField[] =>
    fields.map((f) => ({
      name: f.name,
      type: typeText(f.type),
      versions: [...f.versions],
      nullableVersions: [...f.nullableVersions],
      taggedVersions: [...f.taggedVersions],
      ...(f.tag === undefined ? {} : { tag: f.tag }),
      ...(f.default === undefined ? {} : { default: f.default }),
    }));
  structs[message.name] = toFields(message.root.fields);
  for (const [name, s] of message.structs) structs[name] = toFields(s.fields);
  return {
    name: message.name,
    minVersion: message.minVersion,
    maxVersion: message.maxVersion,
    flexibleVersions: [...message.flexibleVersions],
    structs,
  };
}

function emitSchema(specs: Specs): string {
  const apis = specs.apis.map((a) => ({ apiKey: a.apiKey, name: a.name, request: schemaOf(a.request), response: schemaOf(a.response) }));
  const data = specs.data.map(schemaOf);
  return [
    GENERATED_HEADER,
    '// The merged schema the codecs were generated from (for tests: random instances per version).',
    '',
    'export type VersionRanges = ReadonlyArray<readonly [number, number]>;',
    'export interface SchemaField { name: string; type: string; versions: VersionRanges; nullableVersions: VersionRanges;',
    '  taggedVersions: VersionRanges; tag?: number; default?: string }',
    'export interface SchemaMessage { name: string; minVersion: number; maxVersion: number; flexibleVersions: VersionRanges;',
    '  structs: Readonly<Record<string, readonly SchemaField[]>> }',
    'export interface SchemaApi { apiKey: number; name: string; request: SchemaMessage; response: SchemaMessage }',
    '',
    `export const schemaApis: readonly SchemaApi[] = ${JSON.stringify(apis)};`,
    '',
    `export const schemaData: readonly SchemaMessage[] = ${JSON.stringify(data)};`,
    '',
  ].join('\n');
}

// ---- docs/PROTOCOL.md ----

function range(lo: number, hi: number): string {
  return lo === hi ? `${lo}` : `${lo}-${hi}`;
}

function apiRow(api: ApiSpec): string {
  const { request } = api;
  const flex = firstFlexible(request);
  const legacy = request.currentMinVersion > request.minVersion ? range(request.minVersion, request.currentMinVersion - 1) : '';
  const unstable = request.latestVersionUnstable ? ' (latest unstable in Kafka)' : '';
  return `| ${api.apiKey} | ${api.name} | ${range(request.minVersion, request.maxVersion)}${unstable} | ${Number.isFinite(flex) ? `${flex}+` : 'none'} | ${legacy || '-'} |`;
}

function emitDoc(specs: Specs): string {
  const lines = [
    '<!-- GENERATED by src/protocol/codegen -- DO NOT EDIT (npm run codegen rewrites this file) -->',
    '# Rill protocol codecs',
    '',
    "Rill's Kafka protocol codecs (`src/protocol/generated/`) are generated by `src/protocol/codegen/` from",
    "Apache Kafka's JSON message definitions in `../shared/kafka-protocol/`:",
    '',
    '- `current/` (Kafka trunk at the 4.0 protocol) defines every version from each API\'s 4.0 minimum up.',
    '- The versions Kafka 4.0 removed (column "below 4.0") are what older clients use (kafka-python sends Metadata',
    '  v0/v1, for instance). Kafka 4.0 kept the per-field version ranges of those versions, so the generator extends',
    '  each API down to the Kafka 3.x minimum recorded in `src/protocol/codegen/legacy-floors.json` (Rill\'s own file),',
    '  which also lists the four fields 4.0 deleted outright: ListOffsets v0 `MaxNumOffsets` (request) and',
    '  `OldStyleOffsets` (response), OffsetCommit v1 `CommitTimestamp`, DescribeConfigs v0 `IsDefault`. They are in',
    '  the same TypeScript types and hold their default in other versions.',
    '- When `legacy/` (Kafka trunk before 4.0 removed those versions) is present, the generator also builds those',
    '  versions from it and fails unless both sources give the same schema; the output is the same either way.',
    '',
    'The table lists the versions the codecs accept. The broker advertises (ApiVersions) a subset,',
    'decided by its handlers. Versions Kafka marks `latestVersionUnstable` are included in the codecs.',
    'Request header: v2 in flexible versions, v1 otherwise (ControlledShutdown v0: v0). Response header:',
    'v1 in flexible versions, v0 otherwise; ApiVersions responses always use v0.',
    '',
    '| key | API | versions | flexible | below 4.0 |',
    '| --- | --- | --- | --- | --- |',
    ...specs.apis.map(apiRow),
    '',
    '## How messages look in TypeScript',
    '',
    '- One section per API in `src/protocol/generated/codecs.ts` (one module for all codecs: Node\'s ESM loader',
    '  pays per module at start): interfaces `ProduceRequest`, `ProduceResponse` and one per nested struct',
    '  (`ProduceRequestTopicProduceData`, ...), `default...()` factories, `read...`/`write...` functions, and the',
    '  descriptor `produceApi`. `getApi(apiKey)` / `apis` (registry.ts) map api keys to descriptors;',
    '  `ApiKeys.Produce` etc. name them.',
    '- Field names are Kafka\'s with the first letter lowered (`TopicData` -> `topicData`).',
    '- int8/int16/int32/uint16/uint32/float64 are `number`; **int64 is `bigint`** everywhere (offsets, producer ids,',
    '  timestamps, epochs stored as int64); bool is `boolean`; strings are `string`.',
    '- uuid is a `string` of 22 characters, unpadded base64url of the 16 bytes (how Kafka prints a Uuid);',
    '  the zero uuid is `AAAAAAAAAAAAAAAAAAAAAA`.',
    '- bytes and records are `Buffer`s: on decode a view (subarray) of the frame, never a copy and never parsed;',
    '  on encode, Buffers of 256 bytes or more are appended to the output chunk list by reference.',
    '- Nullable fields are `T | null`. A field absent from the decoded version holds its default (the schema\'s',
    '  `default`, else 0 / false / "" / empty array / empty Buffer / default struct; records: null).',
    '- Encoding ignores fields that the version does not have (Kafka\'s `ignorable` is not enforced: the encoder',
    '  never throws for a non-default value in a version without the field).',
    '- Flexible versions: known tagged fields are ordinary properties, written only when not equal to their',
    '  default; tagged fields the schema does not know are kept in `unknownTaggedFields` (raw `{ tag, data }`)',
    '  and written back in tag order.',
    '',
    '## Decoding rules',
    '',
    '- `decodeRequestFrame(frame)` takes one frame without its 4-byte size prefix and returns',
    '  `{ header, body, api }`. Errors are `ProtocolDecodeError` with `kind`: `unknown-api`, `unsupported-version`',
    '  (both with `.header` holding api key, version, correlation id and client id, so the broker can answer',
    '  as Kafka does) or `malformed`, plus `apiKey`, `apiVersion` and `field` (a path such as',
    '  `topicData[1].partitionData[0].records`).',
    '- Every array count, string and bytes length is checked against the bytes left and the bounds in',
    '  `src/config/limits.ts` (`protocolArrayLengthMax`, `protocolStringBytesMax`, `protocolBytesMax`,',
    '  `protocolTaggedFieldsMax`) before anything is allocated. Trailing bytes after a body are malformed.',
    '  Invalid UTF-8 is not checked (it decodes to U+FFFD), as in Kafka.',
    '- `encodeResponseFrame(apiKey, version, correlationId, msg)` returns `Buffer[]` (size prefix + header + body)',
    '  for `socket.cork()`/`writev`; the Writer carves its chunks from shared 64 KiB slabs.',
    '',
    '## Tests, fuzzing, benchmarks',
    '',
    '- `test/unit/protocol/`: round trip of every API x version x direction and every data message from random',
    '  instances (decode(encode(x)) = x and encode(decode(bytes)) = bytes); committed output = generator output',
    '  (with and without legacy/); cross-checks against @platformatic/kafka and kafkajs encoders/decoders;',
    '  kafka-python and librdkafka frames (`test/fixtures/protocol/`); 250k fuzzed frames.',
    '- `node scripts/fuzz-protocol.mjs [iterations] [seed]`: 1,000,000 fuzzed frames by default.',
    '- `npm run build:ts && node dist/bench/protocol/run.js`: Produce request decode and Fetch response encode,',
    '  100 partitions; results in `perf-results/<date>-protocol.{json,md}`.',
    '',
    '## Data messages',
    '',
    'Payloads carried inside other messages (e.g. JoinGroup metadata, SyncGroup assignments). Their',
    'descriptors decode a body of a given version; the int16 version prefix is the caller\'s.',
    '',
    '| message | versions | flexible |',
    '| --- | --- | --- |',
    ...specs.data.map((m) => {
      const flex = firstFlexible(m);
      return `| ${m.name} | ${range(m.minVersion, m.maxVersion)} | ${Number.isFinite(flex) ? `${flex}+` : 'none'} |`;
    }),
    '',
  ];
  return lines.join('\n');
}
