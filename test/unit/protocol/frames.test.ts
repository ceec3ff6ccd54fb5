import { describe, expect, test } from 'vitest';
import {
  ApiKeys,
  ProtocolDecodeError,
  apiVersionsApi,
  decodeRequestFrame,
  decodeResponseFrame,
  encodeRequestFrame,
  encodeResponseFrame,
  produceApi,
  type ApiVersionsResponse,
  type ProduceRequest,
} from '../../../src/protocol/index.js';

function frameOf(chunks: Buffer[]): Buffer {
  const all = Buffer.concat(chunks);
  expect(all.readInt32BE(0)).toBe(all.length - 4);
  return all.subarray(4);
}

function decodeError(fn: () => unknown): ProtocolDecodeError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolDecodeError);
    return e as ProtocolDecodeError;
  }
  throw new Error('expected a ProtocolDecodeError');
}

function produceRequest(records: Buffer[]): ProduceRequest {
  return {
    transactionalId: null,
    acks: -1,
    timeoutMs: 30000,
    topicData: [
      { name: 'a', partitionData: [{ index: 0, records: records[0]! }] },
      { name: 'b', partitionData: records.slice(1).map((r, index) => ({ index, records: r })) },
    ],
  };
}

const header = (version: number, apiKey: number = ApiKeys.Produce) => ({
  requestApiKey: apiKey,
  requestApiVersion: version,
  correlationId: 77,
  clientId: 'client-1',
});

describe('request frames', () => {
  test('a Produce request frame decodes to its header and body for every version', () => {
    const records = [Buffer.from('batch-a'), Buffer.from('batch-b0'), Buffer.from('batch-b1')];
    for (let version = produceApi.minVersion; version <= produceApi.maxVersion; version++) {
      const frame = frameOf(encodeRequestFrame(header(version), produceRequest(records)));
      const decoded = decodeRequestFrame(frame);
      expect(decoded.api).toBe(produceApi);
      expect(decoded.header).toMatchObject(header(version));
      expect(decoded.body).toMatchObject(produceRequest(records));
    }
  });

  test('flexible versions use request header v2 (non-compact client id, then tagged fields)', () => {
    const frame = frameOf(encodeRequestFrame(header(9), produceRequest([Buffer.alloc(1), Buffer.alloc(1)])));
    // api key, version, correlation id, int16 client id length + 8 bytes, tagged count 0.
    expect(frame.readInt16BE(8)).toBe(8);
    expect(frame.toString('utf8', 10, 18)).toBe('client-1');
    expect(frame[18]).toBe(0);
  });

  test('an unknown api key is reported as such, with the header for the answer', () => {
    const frame = Buffer.from(frameOf(encodeRequestFrame(header(3), produceRequest([Buffer.alloc(1)]))));
    frame.writeInt16BE(9999, 0);
    const e = decodeError(() => decodeRequestFrame(frame));
    expect(e.kind).toBe('unknown-api');
    expect(e.header).toMatchObject({ requestApiKey: 9999, correlationId: 77, clientId: 'client-1' });
  });

  test('an unsupported version is distinguishable from a malformed frame', () => {
    const frame = Buffer.from(frameOf(encodeRequestFrame(header(3, ApiKeys.ApiVersions), {
      clientSoftwareName: 'x', clientSoftwareVersion: 'y',
    })));
    frame.writeInt16BE(apiVersionsApi.maxVersion + 1, 2);
    const e = decodeError(() => decodeRequestFrame(frame));
    expect(e.kind).toBe('unsupported-version');
    expect(e.apiKey).toBe(ApiKeys.ApiVersions);
    expect(e.header).toMatchObject({ correlationId: 77, requestApiVersion: apiVersionsApi.maxVersion + 1 });
  });

  test('a truncated record set names the api, version and field path', () => {
    const records = [Buffer.from('aaaa'), Buffer.from('bbbb'), Buffer.from('cccccccc')];
    const frame = frameOf(encodeRequestFrame(header(7), produceRequest(records)));
    const e = decodeError(() => decodeRequestFrame(frame.subarray(0, frame.length - 3)));
    expect(e.kind).toBe('malformed');
    expect(e.apiKey).toBe(ApiKeys.Produce);
    expect(e.apiVersion).toBe(7);
    expect(e.field).toBe('topicData[1].partitionData[1].records');
    expect(e.message).toContain('topicData[1].partitionData[1].records');
    expect(e.header).toMatchObject({ correlationId: 77 });
  });

  test('a count larger than the frame is rejected before anything is allocated', () => {
    const frame = Buffer.from(frameOf(encodeRequestFrame(header(3), produceRequest([Buffer.alloc(2)]))));
    // v3 body: transactional id (int16 -1), acks, timeout, then the topic count.
    const countAt = 8 + 2 + 'client-1'.length + 2 + 2 + 4;
    frame.writeInt32BE(0x7fffffff, countAt);
    const e = decodeError(() => decodeRequestFrame(frame));
    expect(e.field).toBe('topicData');
    expect(e.detail).toMatch(/protocolArrayLengthMax|bytes left/);
    frame.writeInt32BE(1000, countAt);
    expect(decodeError(() => decodeRequestFrame(frame)).detail).toMatch(/bytes left/);
  });

  test('unknown tagged fields survive decode and re-encode', () => {
    const request = { ...produceRequest([Buffer.from('x')]), unknownTaggedFields: [{ tag: 7, data: Buffer.from([1, 2, 3]) }] };
    const frame = frameOf(encodeRequestFrame(header(9), request));
    const decoded = decodeRequestFrame(frame);
    expect((decoded.body as ProduceRequest).unknownTaggedFields).toEqual([{ tag: 7, data: Buffer.from([1, 2, 3]) }]);
    expect(Buffer.concat(encodeRequestFrame(decoded.header, decoded.body)).subarray(4).equals(frame)).toBe(true);
  });

  test('trailing bytes after the body are malformed', () => {
    const frame = frameOf(encodeRequestFrame(header(3), produceRequest([Buffer.alloc(2)])));
    const e = decodeError(() => decodeRequestFrame(Buffer.concat([frame, Buffer.from([0])])));
    expect(e.detail).toMatch(/trailing/);
  });

  test('a frame shorter than a header is malformed', () => {
    expect(decodeError(() => decodeRequestFrame(Buffer.from([0, 0, 0]))).kind).toBe('malformed');
  });
});

describe('response frames', () => {
  const apiVersionsResponse: ApiVersionsResponse = {
    errorCode: 0,
    apiKeys: [{ apiKey: 0, minVersion: 0, maxVersion: 12 }],
    throttleTimeMs: 0,
    supportedFeatures: [],
    finalizedFeaturesEpoch: -1n,
    finalizedFeatures: [],
    zkMigrationReady: false,
  };

  test('ApiVersions responses use response header v0 even in flexible versions', () => {
    const frame = frameOf(encodeResponseFrame(ApiKeys.ApiVersions, 3, 42, apiVersionsResponse));
    expect(frame.readInt32BE(0)).toBe(42);
    // Header v0 has no tagged-field byte: the body (error code int16 = 0) follows directly.
    expect(apiVersionsApi.decodeResponse(3, frame, 4)).toMatchObject({ apiKeys: apiVersionsResponse.apiKeys });
    expect(decodeResponseFrame(ApiKeys.ApiVersions, 3, frame).header).toEqual({ correlationId: 42 });
  });

  test('other flexible responses use header v1 (one tagged-field byte)', () => {
    const response = {
      responses: [], throttleTimeMs: 0, nodeEndpoints: [],
    };
    const frame = frameOf(encodeResponseFrame(ApiKeys.Produce, 9, 5, response));
    expect(frame.readInt32BE(0)).toBe(5);
    expect(frame[4]).toBe(0);
    expect(decodeResponseFrame(ApiKeys.Produce, 9, frame).body).toMatchObject(response);
    const v8 = frameOf(encodeResponseFrame(ApiKeys.Produce, 8, 5, response));
    expect(v8.length).toBe(4 + 4 + 4); // correlation id, empty array, throttle time
  });

  test('encoding an unknown api or version is a bug and throws', () => {
    expect(() => encodeResponseFrame(9999, 0, 1, {})).toThrow(RangeError);
    expect(() => encodeResponseFrame(ApiKeys.Produce, 99, 1, {})).toThrow(RangeError);
  });
});
