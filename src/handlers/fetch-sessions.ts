// Fetch sessions (KIP-227, Fetch v7+). A full fetch with epoch 0 creates a session holding the
// partitions asked for; later incremental fetches (the session's id and next epoch) carry only
// changed partitions and forgotten ones, and their answers carry only partitions with records,
// errors or a moved high watermark, last stable offset or log start offset. Epoch -1 closes a
// session. At most max.incremental.fetch.session.cache.slots sessions live per broker; the least
// recently used goes first when a new one needs room.
import { ErrorCode } from '../protocol/error-codes.js';
import type { FetchRequest, FetchRequestFetchPartition, FetchRequestFetchTopic, FetchResponseFetchableTopicResponse } from '../protocol/index.js';

const INITIAL_EPOCH = 0;
const FINAL_EPOCH = -1;
const TOPIC_IDS_MIN_VERSION = 13;
const SESSION_ID_MAX = 0x7fffffff;

interface CachedPartition {
  topic: string;
  topicId: string;
  data: FetchRequestFetchPartition;
  /** What the last answer that included this partition said (-2 = never answered). */
  highWatermark: bigint;
  lastStableOffset: bigint;
  logStartOffset: bigint;
}

function keyOf(usesTopicIds: boolean, topic: string, topicId: string, partition: number): string {
  return `${usesTopicIds ? topicId : topic}\u0000${partition}`;
}

export class FetchSession {
  /** The epoch the next incremental request must carry. */
  nextEpoch = 1;
  lastUsedMs = Date.now();
  private readonly partitions = new Map<string, CachedPartition>();

  constructor(readonly id: number, private readonly usesTopicIds: boolean) {}

  get partitionCount(): number {
    return this.partitions.size;
  }

  /** Adds or updates the partitions of a request and drops its forgotten ones. */
  update(request: FetchRequest): void {
    for (const topic of request.topics) {
      for (const data of topic.partitions) {
        const key = keyOf(this.usesTopicIds, topic.topic, topic.topicId, data.partition);
        const cached = this.partitions.get(key);
        if (cached === undefined) this.partitions.set(key, { topic: topic.topic, topicId: topic.topicId, data, highWatermark: -2n, lastStableOffset: -2n, logStartOffset: -2n });
        else cached.data = data;
      }
    }
    for (const forgotten of request.forgottenTopicsData) {
      for (const partition of forgotten.partitions) this.partitions.delete(keyOf(this.usesTopicIds, forgotten.topic, forgotten.topicId, partition));
    }
  }

  /** Every partition of the session, grouped by topic as a request would carry them. */
  requestTopics(): FetchRequestFetchTopic[] {
    const byTopic = new Map<string, FetchRequestFetchTopic>();
    for (const cached of this.partitions.values()) {
      const topicKey = this.usesTopicIds ? cached.topicId : cached.topic;
      let topic = byTopic.get(topicKey);
      if (topic === undefined) {
        topic = { topic: cached.topic, topicId: cached.topicId, partitions: [] };
        byTopic.set(topicKey, topic);
      }
      topic.partitions.push(cached.data);
    }
    return [...byTopic.values()];
  }

  /** Keeps what the answer reports; with `incremental`, drops partitions with nothing new. */
  filterAnswer(topics: FetchResponseFetchableTopicResponse[], incremental: boolean): FetchResponseFetchableTopicResponse[] {
    const kept: FetchResponseFetchableTopicResponse[] = [];
    for (const topic of topics) {
      const partitions = topic.partitions.filter((p) => {
        const cached = this.partitions.get(keyOf(this.usesTopicIds, topic.topic, topic.topicId, p.partitionIndex));
        if (cached === undefined) return true;
        const changed = p.highWatermark !== cached.highWatermark || p.lastStableOffset !== cached.lastStableOffset || p.logStartOffset !== cached.logStartOffset;
        const include = !incremental || changed || p.errorCode !== ErrorCode.NONE || (p.records?.length ?? 0) > 0;
        if (include) Object.assign(cached, { highWatermark: p.highWatermark, lastStableOffset: p.lastStableOffset, logStartOffset: p.logStartOffset });
        return include;
      });
      if (partitions.length > 0) kept.push({ ...topic, partitions });
    }
    return kept;
  }
}

export type SessionOutcome =
  | { kind: 'error'; errorCode: number }
  | { kind: 'sessionless' }
  | { kind: 'full'; session: FetchSession }
  | { kind: 'incremental'; session: FetchSession };

export class FetchSessionCache {
  private readonly sessions = new Map<number, FetchSession>();

  constructor(private readonly slots: () => number) {}

  get size(): number {
    return this.sessions.size;
  }

  /** Decides how a Fetch request relates to sessions, creating, updating or closing them. */
  begin(request: FetchRequest, version: number): SessionOutcome {
    const { sessionId, sessionEpoch } = request;
    if (sessionId === 0) return sessionEpoch === INITIAL_EPOCH ? this.create(request, version) : { kind: 'sessionless' };
    const session = this.sessions.get(sessionId);
    if (session === undefined) return { kind: 'error', errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND };
    if (sessionEpoch === FINAL_EPOCH) {
      this.sessions.delete(sessionId);
      return { kind: 'sessionless' };
    }
    if (sessionEpoch === INITIAL_EPOCH) {
      this.sessions.delete(sessionId);
      return this.create(request, version);
    }
    if (sessionEpoch !== session.nextEpoch) return { kind: 'error', errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH };
    session.update(request);
    session.nextEpoch = session.nextEpoch === SESSION_ID_MAX ? 1 : session.nextEpoch + 1;
    this.touch(session);
    return { kind: 'incremental', session };
  }

  private create(request: FetchRequest, version: number): SessionOutcome {
    if (this.slots() <= 0) return { kind: 'sessionless' };
    while (this.sessions.size >= this.slots()) this.sessions.delete(this.sessions.keys().next().value!);
    const session = new FetchSession(this.newId(), version >= TOPIC_IDS_MIN_VERSION);
    session.update(request);
    this.sessions.set(session.id, session);
    return { kind: 'full', session };
  }

  /** Moves the session to the most recently used end. */
  private touch(session: FetchSession): void {
    session.lastUsedMs = Date.now();
    this.sessions.delete(session.id);
    this.sessions.set(session.id, session);
  }

  private newId(): number {
    for (;;) {
      const id = 1 + Math.floor(Math.random() * SESSION_ID_MAX);
      if (!this.sessions.has(id)) return id;
    }
  }
}
