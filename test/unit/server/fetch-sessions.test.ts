import { describe, expect, it } from 'vitest';
import { FetchSessionCache } from '../../../src/handlers/fetch-sessions.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import type { FetchRequest } from '../../../src/protocol/index.js';

function request(sessionId: number, sessionEpoch: number, partitions: number[] = [0]): FetchRequest {
  return {
    clusterId: null, replicaId: -1, replicaState: { replicaId: -1, replicaEpoch: -1n }, maxWaitMs: 0, minBytes: 0, maxBytes: 1000,
    isolationLevel: 0, sessionId, sessionEpoch, rackId: '', forgottenTopicsData: [],
    topics: [{ topic: 't', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: partitions.map((partition) => ({ partition, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 100, replicaDirectoryId: 'AAAAAAAAAAAAAAAAAAAAAA' })) }],
  };
}

describe('FetchSessionCache', () => {
  it('evicts the least recently used session when the slots are full', () => {
    const cache = new FetchSessionCache(() => 2);
    const first = cache.begin(request(0, 0), 12);
    const second = cache.begin(request(0, 0), 12);
    if (first.kind !== 'full' || second.kind !== 'full') throw new Error('sessions expected');
    expect(cache.begin(request(first.session.id, 1), 12).kind).toBe('incremental');
    cache.begin(request(0, 0), 12);
    expect(cache.size).toBe(2);
    expect(cache.begin(request(second.session.id, 1), 12)).toEqual({ kind: 'error', errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND });
    expect(cache.begin(request(first.session.id, 2), 12).kind).toBe('incremental');
  });

  it('creates no session when the cache has no slots, and none for epoch -1', () => {
    expect(new FetchSessionCache(() => 0).begin(request(0, 0), 12)).toEqual({ kind: 'sessionless' });
    expect(new FetchSessionCache(() => 5).begin(request(0, -1), 12)).toEqual({ kind: 'sessionless' });
  });

  it('keeps partitions added by increments and groups them by topic', () => {
    const cache = new FetchSessionCache(() => 5);
    const created = cache.begin(request(0, 0, [0]), 12);
    if (created.kind !== 'full') throw new Error('session expected');
    cache.begin(request(created.session.id, 1, [2]), 12);
    expect(created.session.requestTopics().map((t) => [t.topic, t.partitions.map((p) => p.partition)])).toEqual([['t', [0, 2]]]);
  });
});
