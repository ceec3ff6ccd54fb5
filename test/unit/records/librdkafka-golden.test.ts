// Golden cross-check against librdkafka: record sets captured from real confluent-kafka
// (librdkafka) Produce requests by fixtures/capture-librdkafka.py, one file per message format
// and codec, decoded and validated here against the manifest of what was produced.
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
  records: ManifestRecord[];
  files: Record<'v1' | 'v2', Record<string, string>>;
}

const fixtures = fileURLToPath(new URL('./fixtures', import.meta.url));
const manifest = JSON.parse(readFileSync(join(fixtures, 'librdkafka-manifest.json'), 'utf8')) as Manifest;
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
  return Object.entries(manifest.files.v2).filter(([codec]) => codec !== 'zstd' || hot.implementation === 'native');
}

describe.each(availableAccels().map((hot) => [hot.implementation, hot] as const))(`librdkafka ${manifest.librdkafka} v2 batches (%s)`, (_name, hot) => {
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

describe.each(availableAccels().map((hot) => [hot.implementation, hot] as const))(`librdkafka ${manifest.librdkafka} v1 message sets (%s)`, (_name, hot) => {
  it.each(Object.entries(manifest.files.v1))('parses and converts the %s capture', (codec, file) => {
    const messageSet = fixture(file);
    const messages = parseLegacyMessageSet(messageSet, 0, messageSet.length, { strict: true, hot });
    expect(messages.every((m) => m.magic === 1 && m.wrapperCodec === codec)).toBe(true);
    expect(messages.map((m) => [text(m.key), text(m.value), m.timestampMs])).toEqual(manifest.records.map((r) => [r.key, r.value, r.timestamp]));
    const conversion = convertLegacyToV2(messageSet, 0, messageSet.length, { hot, compression: (source) => source });
    const view = new RecordBatchView(conversion.batch);
    expect(view.compression).toBe(codec);
    expect(readBatchRecords(view, { hot }).map((r) => [text(r.key), text(r.value), r.timestampMs])).toEqual(manifest.records.map((r) => [r.key, r.value, r.timestamp]));
    const produced = validateProduceRecords(messageSet, policy, { produceVersion: 2, nowMs: Date.now(), hot });
    expect(produced.ok && produced.recordCount).toBe(manifest.records.length);
  });
});
