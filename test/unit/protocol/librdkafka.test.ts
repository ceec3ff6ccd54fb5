// Request frames librdkafka itself sent (python3-confluent-kafka and kcat from Debian), captured
// by test/fixtures/protocol/librdkafka/capture.ts, which answered them with Rill's codecs (the
// clients accepted those ApiVersions and Metadata responses and went on). Each must decode and
// re-encode to the same bytes.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { decodeRequestFrame, encodeRequestFrame, type ApiVersionsRequest, type MetadataRequest } from '../../../src/protocol/index.js';
import { packageRoot } from '../../../src/util/package-root.js';

interface CapturedFrame {
  client: string;
  apiKey: number;
  apiVersion: number;
  frameHex: string;
}

const { frames } = JSON.parse(
  readFileSync(join(packageRoot(), 'test/fixtures/protocol/librdkafka/librdkafka.json'), 'utf8'),
) as { frames: CapturedFrame[] };

describe('librdkafka request frames', () => {
  test('both clients sent ApiVersions then Metadata', () => {
    for (const client of ['python3-confluent-kafka', 'kcat']) {
      const keys = frames.filter((f) => f.client === client).map((f) => f.apiKey);
      expect(keys[0]).toBe(18);
      expect(keys).toContain(3);
    }
  });

  for (const [i, captured] of frames.entries()) {
    test(`${captured.client} #${i}: api ${captured.apiKey} v${captured.apiVersion}`, () => {
      const frame = Buffer.from(captured.frameHex, 'hex');
      const decoded = decodeRequestFrame(frame);
      expect(decoded.header).toMatchObject({ requestApiKey: captured.apiKey, requestApiVersion: captured.apiVersion, clientId: 'rill-capture' });
      if (captured.apiKey === 18 && captured.apiVersion >= 3) {
        const body = decoded.body as ApiVersionsRequest;
        const expectedName = captured.client === 'kcat' ? 'librdkafka' : 'confluent-kafka-python';
        expect(body.clientSoftwareName).toBe(expectedName);
        expect(body.clientSoftwareVersion).toMatch(/\d+\.\d+/);
      }
      if (captured.apiKey === 3) {
        const body = decoded.body as MetadataRequest;
        expect(body.topics === null || body.topics.every((t) => typeof t.name === 'string')).toBe(true);
      }
      const reencoded = Buffer.concat(encodeRequestFrame(decoded.header, decoded.body)).subarray(4);
      expect(reencoded.equals(frame)).toBe(true);
    });
  }
});
