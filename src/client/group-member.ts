// Membership in a classic consumer group: JoinGroup (with the member-id round trip of KIP-394),
// the leader computes a range assignment, SyncGroup hands it out, Heartbeat keeps the session
// and reports a rebalance, LeaveGroup on close. The consumer protocol payloads
// (ConsumerProtocolSubscription/Assignment) are version-prefixed generated data messages.
import {
  consumerProtocolAssignmentData,
  consumerProtocolSubscriptionData,
  defaultHeartbeatRequest,
  defaultJoinGroupRequest,
  defaultLeaveGroupRequest,
  defaultSyncGroupRequest,
  type ConsumerProtocolAssignment,
  type ConsumerProtocolSubscription,
  type HeartbeatResponse,
  type JoinGroupResponse,
  type LeaveGroupResponse,
  type SyncGroupResponse,
} from '../protocol/index.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { Cluster } from './cluster.js';
import { ApiKey, type Connection } from './connection.js';
import { KafkaError } from './errors.js';
import { coordinatorConnection, type GroupMembership } from './group-offsets.js';

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface GroupMemberOptions {
  sessionTimeoutMs?: number;
  rebalanceTimeoutMs?: number;
  heartbeatIntervalMs?: number;
}

const PROTOCOL_TYPE = 'consumer';
const RANGE_ASSIGNOR = 'range';
const CONSUMER_PROTOCOL_VERSION = 0;
const MEMBER_ID_REQUIRED = 79;
const JOIN_ATTEMPTS_MAX = 20;
/** JoinGroup may wait a whole rebalance; its request timeout is the rebalance timeout plus this. */
const JOIN_TIMEOUT_MARGIN_MS = 5_000;

function withVersion(version: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(2 + body.length);
  out.writeInt16BE(version, 0);
  body.copy(out, 2);
  return out;
}

export function encodeSubscription(topics: string[]): Buffer {
  const msg: ConsumerProtocolSubscription = { topics, userData: null, ownedPartitions: [], generationId: -1, rackId: null };
  return withVersion(CONSUMER_PROTOCOL_VERSION, consumerProtocolSubscriptionData.encode(CONSUMER_PROTOCOL_VERSION, msg));
}

export function decodeSubscription(buf: Buffer): ConsumerProtocolSubscription {
  const version = Math.min(buf.readInt16BE(0), consumerProtocolSubscriptionData.maxVersion);
  return consumerProtocolSubscriptionData.decode(version, buf, 2);
}

export function encodeAssignment(partitions: TopicPartition[]): Buffer {
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of partitions) {
    let list = byTopic.get(topic);
    if (list === undefined) byTopic.set(topic, (list = []));
    list.push(partition);
  }
  const msg: ConsumerProtocolAssignment = { assignedPartitions: [...byTopic].map(([topic, ps]) => ({ topic, partitions: ps })), userData: null };
  return withVersion(CONSUMER_PROTOCOL_VERSION, consumerProtocolAssignmentData.encode(CONSUMER_PROTOCOL_VERSION, msg));
}

export function decodeAssignment(buf: Buffer): TopicPartition[] {
  if (buf.length < 2) return [];
  const version = Math.min(buf.readInt16BE(0), consumerProtocolAssignmentData.maxVersion);
  const msg = consumerProtocolAssignmentData.decode(version, buf, 2);
  return msg.assignedPartitions.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })));
}

/**
 * The range assignor: per topic, the members subscribed to it (sorted by member id) get
 * contiguous ranges of partitions; the first (partitions % members) get one extra.
 */
export function rangeAssign(subscriptions: Map<string, string[]>, partitionCounts: Map<string, number>): Map<string, TopicPartition[]> {
  const assignment = new Map<string, TopicPartition[]>([...subscriptions.keys()].map((m) => [m, []]));
  const topics = new Set([...subscriptions.values()].flat());
  for (const topic of topics) {
    const members = [...subscriptions].filter(([, ts]) => ts.includes(topic)).map(([m]) => m).sort();
    const count = partitionCounts.get(topic) ?? 0;
    const base = Math.floor(count / members.length);
    const extra = count % members.length;
    let next = 0;
    members.forEach((member, i) => {
      const share = base + (i < extra ? 1 : 0);
      for (let p = next; p < next + share; p++) assignment.get(member)!.push({ topic, partition: p });
      next += share;
    });
  }
  return assignment;
}

export class GroupMember {
  private connection: Connection | undefined;
  private memberId = '';
  private generationId = -1;
  private heartbeatTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly cluster: Cluster,
    readonly groupId: string,
    private readonly topics: string[],
    private readonly options: GroupMemberOptions = {},
  ) {}

  get membership(): GroupMembership {
    return { generationId: this.generationId, memberId: this.memberId };
  }

  async coordinator(): Promise<Connection> {
    if (this.connection === undefined || this.connection.closed) this.connection = await coordinatorConnection(this.cluster, this.groupId);
    return this.connection;
  }

  /** Joins (or rejoins) the group; resolves with this member's partitions. */
  async join(): Promise<TopicPartition[]> {
    for (let attempt = 0; attempt < JOIN_ATTEMPTS_MAX; attempt++) {
      const joined = await this.joinOnce();
      if (joined === undefined) continue;
      const assignments = joined.leader === this.memberId ? await this.leaderAssignments(joined) : [];
      const synced = await this.sync(assignments);
      if (synced !== undefined) return synced;
    }
    throw new KafkaError(ErrorCode.REBALANCE_IN_PROGRESS, `could not join group ${this.groupId}`);
  }

  private async joinOnce(): Promise<JoinGroupResponse | undefined> {
    const connection = await this.coordinator();
    const request = {
      ...defaultJoinGroupRequest(),
      groupId: this.groupId,
      sessionTimeoutMs: this.options.sessionTimeoutMs ?? 45_000,
      rebalanceTimeoutMs: this.options.rebalanceTimeoutMs ?? 60_000,
      memberId: this.memberId,
      protocolType: PROTOCOL_TYPE,
      protocols: [{ name: RANGE_ASSIGNOR, metadata: encodeSubscription(this.topics) }],
    };
    const response = await connection.request<JoinGroupResponse>(ApiKey.JoinGroup, request, request.rebalanceTimeoutMs + JOIN_TIMEOUT_MARGIN_MS);
    if (response.errorCode === MEMBER_ID_REQUIRED) {
      this.memberId = response.memberId;
      return undefined;
    }
    if (response.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) {
      this.memberId = '';
      return undefined;
    }
    if (response.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) return undefined;
    if (response.errorCode !== ErrorCode.NONE) throw new KafkaError(response.errorCode, `JoinGroup ${this.groupId}`);
    this.memberId = response.memberId;
    this.generationId = response.generationId;
    return response;
  }

  private async leaderAssignments(joined: JoinGroupResponse): Promise<Array<{ memberId: string; assignment: Buffer }>> {
    const subscriptions = new Map(joined.members.map((m) => [m.memberId, decodeSubscription(m.metadata).topics]));
    const topics = [...new Set([...subscriptions.values()].flat())];
    await this.cluster.refreshMetadata(topics);
    const counts = new Map(topics.map((t) => [t, this.cluster.cachedTopic(t)?.partitions.length ?? 0]));
    const assignment = rangeAssign(subscriptions, counts);
    return [...assignment].map(([memberId, partitions]) => ({ memberId, assignment: encodeAssignment(partitions) }));
  }

  private async sync(assignments: Array<{ memberId: string; assignment: Buffer }>): Promise<TopicPartition[] | undefined> {
    const connection = await this.coordinator();
    const request = { ...defaultSyncGroupRequest(), groupId: this.groupId, generationId: this.generationId, memberId: this.memberId, protocolType: PROTOCOL_TYPE, protocolName: RANGE_ASSIGNOR, assignments };
    const response = await connection.request<SyncGroupResponse>(ApiKey.SyncGroup, request);
    if (response.errorCode === ErrorCode.REBALANCE_IN_PROGRESS || response.errorCode === ErrorCode.ILLEGAL_GENERATION) return undefined;
    if (response.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) {
      this.memberId = '';
      return undefined;
    }
    if (response.errorCode !== ErrorCode.NONE) throw new KafkaError(response.errorCode, `SyncGroup ${this.groupId}`);
    return decodeAssignment(response.assignment);
  }

  /** Heartbeats every heartbeatIntervalMs; calls onRebalance once when the group rebalances. */
  startHeartbeats(onRebalance: () => void): void {
    this.stopHeartbeats();
    const intervalMs = this.options.heartbeatIntervalMs ?? 3_000;
    this.heartbeatTimer = setInterval(() => {
      this.heartbeat().then(
        (errorCode) => {
          if (errorCode === ErrorCode.NONE) return;
          this.stopHeartbeats();
          onRebalance();
        },
        () => {
          this.stopHeartbeats();
          onRebalance();
        },
      );
    }, intervalMs);
  }

  stopHeartbeats(): void {
    if (this.heartbeatTimer !== undefined) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  private async heartbeat(): Promise<number> {
    const connection = await this.coordinator();
    const request = { ...defaultHeartbeatRequest(), groupId: this.groupId, generationId: this.generationId, memberId: this.memberId };
    return (await connection.request<HeartbeatResponse>(ApiKey.Heartbeat, request)).errorCode;
  }

  async leave(): Promise<void> {
    this.stopHeartbeats();
    if (this.memberId === '') return;
    const connection = await this.coordinator();
    const request = { ...defaultLeaveGroupRequest(), groupId: this.groupId, memberId: this.memberId, members: [{ memberId: this.memberId, groupInstanceId: null, reason: null }] };
    await connection.request<LeaveGroupResponse>(ApiKey.LeaveGroup, request).catch(() => undefined);
    this.memberId = '';
    this.generationId = -1;
  }

  close(): void {
    this.stopHeartbeats();
  }
}
