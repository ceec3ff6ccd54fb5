// The client connection: version negotiation, pipelining with a bounded number in flight.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../../src/broker.js';
import { ApiKey, Connection, negotiateVersions, parseHostPort } from '../../../src/client/index.js';
import { defaultApiVersionsResponse, defaultMetadataRequest, type MetadataResponse } from '../../../src/protocol/index.js';
import { startQuietBroker } from './helpers.js';

let broker: RunningBroker;

beforeAll(async () => {
  broker = await startQuietBroker();
});

afterAll(async () => {
  await broker.stop();
});

describe('negotiateVersions', () => {
  it('picks the highest version both sides speak and drops apis without overlap', () => {
    const response = {
      ...defaultApiVersionsResponse(),
      apiKeys: [
        { apiKey: ApiKey.Produce, minVersion: 3, maxVersion: 20 },
        { apiKey: ApiKey.Fetch, minVersion: 4, maxVersion: 7 },
        { apiKey: ApiKey.Metadata, minVersion: 13, maxVersion: 13 },
        { apiKey: 9999, minVersion: 0, maxVersion: 1 },
      ],
    };
    const versions = negotiateVersions(response);
    expect(versions.get(ApiKey.Produce)).toBe(11);
    expect(versions.get(ApiKey.Fetch)).toBe(7);
    expect(versions.has(ApiKey.Metadata)).toBe(false);
    expect(versions.has(9999)).toBe(false);
  });
});

describe('Connection', () => {
  it('pipelines 200 requests with at most 3 in flight and answers each in order', async () => {
    const connection = await Connection.open({ ...parseHostPort(broker.bootstrap), maxInFlightRequests: 3 });
    let inFlightPeak = 0;
    const answers = await Promise.all(
      Array.from({ length: 200 }, async () => {
        const pending = connection.request<MetadataResponse>(ApiKey.Metadata, { ...defaultMetadataRequest(), topics: [] });
        inFlightPeak = Math.max(inFlightPeak, connection.inFlightCount);
        return pending;
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    connection.close();
    expect(answers).toHaveLength(200);
    expect(answers.every((a) => a.brokers.length === 1)).toBe(true);
    expect(inFlightPeak).toBeLessThanOrEqual(3);
    expect(connection.version(ApiKey.Metadata)).toBe(12);
  });

  it('fails outstanding requests when the connection closes', async () => {
    const connection = await Connection.open(parseHostPort(broker.bootstrap));
    const pending = connection.request(ApiKey.Metadata, { ...defaultMetadataRequest(), topics: [] });
    connection.close();
    await expect(pending).rejects.toThrow(/closed by the client/);
  });
});
