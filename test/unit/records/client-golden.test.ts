// Golden cross-checks against real clients: record sets captured from the Produce requests of
// confluent-kafka (librdkafka) and kafka-python by fixtures/capture.py, one file per client,
// message format and codec, decoded and validated here against the manifest of what was produced.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Accel } from '../../../src/accel/types.js';
import { iterateBatches, RecordBatchView, validateBatch, validateClientBatch } from '../../../src/protocol/records/batch.js';
import { convertLegacyToV2, parseLegacyMessageSet } from '../../../src/protocol/records/legacy.js';
import { readBatchRecords } from '../../../src/protocol/records/records.js';
import { validateProduceRecords, type ProducePolicy } from '../../../src/protocol/records/validate-produce.js';
import { availableAccels } from './accels.js';

interface ManifestRecord {
  key: string | null;
  value: string | null;
  headers: [string, string][];
  timestamp: number;
}

interface Manifest {
  librdkafka: string;
  'kafka-python': string;
  records: ManifestRecord[];
  /** '<client>-<format>' -> codec -> file name */
  files: Record<string, Record<string, string>>;
}

const fixtures = fileURLToPath(new URL('./fixtures', import.meta.url));
const manifest = JSON.parse(readFileSync(join(fixtures, 'manifest.json'), 'utf8')) as Manifest;
const fixture = (name: string): Buffer => readFileSync(join(fixtures, name));
const text = (bytes: Buffer | null): string | null => (bytes === null ? null : bytes.toString('utf8'));

const policy: ProducePolicy = {
  maxMessageBytes: 1_048_588,
  compacted: false,
  timestampType: 'CreateTime',
  timestampBeforeMaxMs: Number.MAX_SAFE_INTEGER,
  timestampAfterMaxMs: Number.MAX_SAFE_INTEGER,
  compressionType: 'producer',
};

function v2Cases(hot: Accel): [string, string][] {
  return Object.entries(manifest.files['librdkafka-v2']!).filter(([codec]) => codec !== 'zstd' || hot.implementation === 'native');
}

describe.each(availableAccels().map((hot) => [hot.implementation, hot] as const))(`librdkafka ${manifest.librdkafka} v2 record batches (%s)`, (_name, hot) => {
  it.each(v2Cases(hot))('decodes the %s capture', (codec, file) => {
    const recordSet = fixture(file);
    const decoded: ManifestRecord[] = [];
    for (const view of iterateBatches(recordSet)) {
      expect(validateBatch(recordSet, view.offset, view.end, hot)).toBeNull();
      expect(validateClientBatch(view)).toBeNull();
      expect(view.compression).toBe(codec);
      const records = readBatchRecords(view, { hot });
      expect(records.map((r) => r.offset)).toEqual(records.map((_r, i) => view.baseOffset + i));
      for (const record of records) {
        decoded.push({ key: text(record.key), value: text(record.value), headers: record.headers.map((h) => [h.key.toString(), text(h.value)!]), timestamp: record.timestampMs });
      }
    }
    expect(decoded).toEqual(manifest.records);
  });

  it.each(v2Cases(hot))('accepts the %s capture through Produce validation', (_codec, file) => {
    const result = validateProduceRecords(fixture(file), { ...policy, compressionType: 'lz4' }, { produceVersion: 7, nowMs: Date.now(), hot });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const records = [...iterateBatches(result.recordSet)].flatMap((view) => readBatchRecords(view, { hot }));
    expect(records.map((r) => text(r.value))).toEqual(manifest.records.map((r) => r.value));
  });
});

const legacyCases: [string, 0 | 1, string, string][] = Object.entries(manifest.files)
  .filter(([clientFormat]) => /-v[01]$/.test(clientFormat))
  .flatMap(([clientFormat, files]) => Object.entries(files).map(([codec, file]) => [clientFormat, Number(clientFormat.at(-1)) as 0 | 1, codec, file] as [string, 0 | 1, string, string]));

describe.each(availableAccels().map((hot) => [hot.implementation, hot] as const))('legacy message sets from real clients (%s)', (_name, hot) => {
  it.each(legacyCases)('parses and converts the %s (magic %i) %s capture', (_clientFormat, magic, codec, file) => {
    const messageSet = fixture(file);
    const expectedTimestamp = (r: ManifestRecord) => (magic === 1 ? r.timestamp : -1);
    const messages = parseLegacyMessageSet(messageSet, 0, messageSet.length, { strict: true, hot });
    expect(messages.every((m) => m.magic === magic && m.wrapperCodec === codec)).toBe(true);
    expect(messages.map((m) => [text(m.key), text(m.value), m.timestampMs])).toEqual(manifest.records.map((r) => [r.key, r.value, expectedTimestamp(r)]));
    const conversion = convertLegacyToV2(messageSet, 0, messageSet.length, { hot, compression: (source) => source });
    const view = new RecordBatchView(conversion.batch);
    expect(view.compression).toBe(codec);
    expect(readBatchRecords(view, { hot }).map((r) => [text(r.key), text(r.value), r.timestampMs])).toEqual(manifest.records.map((r) => [r.key, r.value, expectedTimestamp(r)]));
    const produced = validateProduceRecords(messageSet, policy, { produceVersion: magic === 0 ? 0 : 2, nowMs: Date.now(), hot });
    expect(produced.ok && produced.recordCount).toBe(manifest.records.length);
  });
});
