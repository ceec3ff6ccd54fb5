// Turns the specs folder into the set of generated files (path relative to the package root ->
// content). Pure: main.ts writes them, the "committed output" test compares them.

import { join } from 'node:path';
import { packageRoot } from '../../util/package-root.js';
import { camelName, emitApiModule, emitDataModule, firstFlexible, GENERATED_HEADER, kebabName } from './emit.js';
import { loadLegacyFloors, loadSpecs, type ApiSpec, type FieldType, type MessageSpec, type Specs } from './spec.js';

export const GENERATED_DIR = 'src/protocol/generated';
export const PROTOCOL_DOC = 'docs/PROTOCOL.md';

export const LEGACY_FLOORS = 'src/protocol/codegen/legacy-floors.json';

export function generateFiles(specsDir: string, floorsPath = join(packageRoot(), LEGACY_FLOORS)): Map<string, string> {
  const specs = loadSpecs(specsDir, loadLegacyFloors(floorsPath));
  const files = new Map<string, string>();
  for (const api of specs.apis) {
    files.set(`${GENERATED_DIR}/${kebabName(api.name)}.ts`, emitApiModule(api.apiKey, api.name, api.request, api.response));
  }
  for (const message of specs.data) {
    files.set(`${GENERATED_DIR}/${kebabName(message.name)}.ts`, emitDataModule(message));
  }
  files.set(`${GENERATED_DIR}/registry.ts`, emitRegistry(specs));
  files.set(`${GENERATED_DIR}/index.ts`, emitIndex(specs));
  files.set(`${GENERATED_DIR}/schema.ts`, emitSchema(specs));
  files.set(PROTOCOL_DOC, emitDoc(specs));
  return files;
}

function emitRegistry(specs: Specs): string {
  const imports = specs.apis.map((a) => `import { ${camelName(a.name)}Api } from './${kebabName(a.name)}.js';`);
  const dataImports = specs.data.map((m) => `import { ${camelName(m.name)}Data } from './${kebabName(m.name)}.js';`);
  const keys = specs.apis.map((a) => `  ${a.name}: ${a.apiKey},`);
  return [
    GENERATED_HEADER,
    '// Every broker API Rill has codecs for, by api key, and every data message by name.',
    '',
    "import type { ApiDescriptor, DataDescriptor } from '../primitives/api.js';",
    ...imports,
    ...dataImports,
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
  const modules = [...specs.apis.map((a) => kebabName(a.name)), ...specs.data.map((m) => kebabName(m.name))];
  return [
    GENERATED_HEADER,
    '',
    "export { ApiKeys, apis, dataMessages } from './registry.js';",
    ...modules.map((m) => `export * from './${m}.js';`),
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
