// Property test: for every broker API (request and response) and data message, every version:
// random instance -> encode -> decode deep-equals the instance, and re-encoding the decoded
// message gives identical bytes.

import { describe, expect, test } from 'vitest';
import { apis, dataMessages } from '../../../src/protocol/index.js';
import { schemaApis, schemaData, type SchemaMessage } from '../../../src/protocol/generated/schema.js';
import { randomMessage, Rng } from './support/random-message.js';

const INSTANCES_PER_VERSION = 12;

interface Codec {
  encode(version: number, msg: unknown): Buffer;
  decode(version: number, buf: Buffer): unknown;
}

function checkRoundTrips(schema: SchemaMessage, codec: Codec, seed: number): void {
  const rng = new Rng(seed);
  for (let version = schema.minVersion; version <= schema.maxVersion; version++) {
    for (let i = 0; i < INSTANCES_PER_VERSION; i++) {
      const msg = randomMessage(schema, version, rng);
      const bytes = codec.encode(version, msg);
      const decoded = codec.decode(version, bytes);
      expect(decoded, `${schema.name} v${version} instance ${i}`).toEqual(msg);
      expect(codec.encode(version, decoded).equals(bytes), `${schema.name} v${version} re-encode`).toBe(true);
    }
  }
}

describe('round trip of every broker API, every version', () => {
  test('the schema and the registry list the same APIs', () => {
    expect(schemaApis.map((a) => a.apiKey).sort((a, b) => a - b)).toEqual([...apis.keys()].sort((a, b) => a - b));
    expect(apis.size).toBeGreaterThan(60);
  });

  for (const schemaApi of schemaApis) {
    test(`${schemaApi.name} (key ${schemaApi.apiKey}) requests and responses`, () => {
      const api = apis.get(schemaApi.apiKey)!;
      expect(api.minVersion).toBe(schemaApi.request.minVersion);
      expect(api.maxVersion).toBe(schemaApi.request.maxVersion);
      checkRoundTrips(schemaApi.request, { encode: api.encodeRequest, decode: api.decodeRequest }, schemaApi.apiKey * 2 + 1);
      checkRoundTrips(schemaApi.response, { encode: api.encodeResponse, decode: api.decodeResponse }, schemaApi.apiKey * 2 + 2);
    });
  }

  for (const schema of schemaData) {
    test(`data message ${schema.name}`, () => {
      const data = dataMessages.get(schema.name)!;
      checkRoundTrips(schema, { encode: data.encode, decode: data.decode }, schema.name.length);
    });
  }
});
