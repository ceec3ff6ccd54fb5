// Protocol-level group members for the rebalance benchmark: each member has its own socket
// (a JoinGroup blocks its connection until the rebalance completes, as in real clients) and
// reacts at once to what the coordinator says, so the measured time is the coordinator's and the
// protocol's round trips plus one heartbeat interval, not a client library's scheduling.
import { connect, type Socket } from 'node:net';
import {
  consumerProtocolAssignmentData,
  consumerProtocolSubscriptionData,
  decodeResponseFrame,
  encodeRequestFrame,
  Writer,
} from '../../src/protocol/index.js';

const ErrorCode = { NONE: 0, REBALANCE_IN_PROGRESS: 27, MEMBER_ID_REQUIRED: 79 } as const;

export class Connection {
  private pending: Buffer = Buffer.alloc(0);
  private readonly waiters = new Map<number, (frame: Buffer) => void>();
  private nextCorrelationId = 1;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
      while (this.pending.length >= 4 && this.pending.length >= 4 + this.pending.readInt32BE(0)) {
        const frame = this.pending.subarray(4, 4 + this.pending.readInt32BE(0));
        this.pending = this.pending.subarray(4 + frame.length);
        const correlationId = frame.readInt32BE(0);
        const waiter = this.waiters.get(correlationId);
        this.waiters.delete(correlationId);
        waiter?.(frame);
      }
    });
  }

  static async open(port: number): Promise<Connection> {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new Connection(socket);
  }

  call<T>(apiKey: number, version: number, body: unknown): Promise<T> {
    const correlationId = this.nextCorrelationId++;
    const header = { requestApiKey: apiKey, requestApiVersion: version, correlationId, clientId: 'bench-member' };
    return new Promise((resolve) => {
      this.waiters.set(correlationId, (frame) => resolve(decodeResponseFrame(apiKey, version, frame).body as T));
      this.socket.write(Buffer.concat(encodeRequestFrame(header, body)));
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

function versioned(write: (w: Writer) => void): Buffer {
  const w = new Writer();
  w.writeInt16(0);
  write(w);
  return w.finish();
}

export function subscriptionBytes(topic: string): Buffer {
  return versioned((w) => consumerProtocolSubscriptionData.write(w, 0, { topics: [topic], userData: null, ownedPartitions: [], generationId: -1, rackId: null }));
}

function assignmentBytes(topic: string, partitions: number[]): Buffer {
  return versioned((w) => consumerProtocolAssignmentData.write(w, 0, { assignedPartitions: [{ topic, partitions }], userData: null }));
}

/** The leader's range assignment: contiguous ranges over members sorted by id. */
export function rangeAssignments(topic: string, partitionCount: number, memberIds: string[]): { memberId: string; assignment: Buffer }[] {
  const sorted = [...memberIds].sort();
  const base = Math.floor(partitionCount / sorted.length);
  const extra = partitionCount % sorted.length;
  let next = 0;
  return sorted.map((memberId, index) => {
    const share = base + (index < extra ? 1 : 0);
    const partitions = Array.from({ length: share }, () => next++);
    return { memberId, assignment: assignmentBytes(topic, partitions) };
  });
}

export interface MemberOptions {
  port: number;
  groupId: string;
  topic: string;
  partitionCount: number;
  heartbeatIntervalMs: number;
}

/** A classic member: join (with KIP-394 retry), sync (leader assigns), heartbeat, rejoin on REBALANCE_IN_PROGRESS. */
export class ClassicMember {
  memberId = '';
  generationId = -1;
  syncedGeneration = -1;
  private running = true;
  private timer: NodeJS.Timeout | undefined;

  private constructor(private readonly connection: Connection, private readonly options: MemberOptions, public onEvent: () => void) {}

  static async start(options: MemberOptions, onSynced: () => void): Promise<ClassicMember> {
    const member = new ClassicMember(await Connection.open(options.port), options, onSynced);
    void member.rejoin();
    return member;
  }

  private async rejoin(): Promise<void> {
    const join = (memberId: string) => this.connection.call<any>(11, 7, {
      groupId: this.options.groupId, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId, groupInstanceId: null,
      protocolType: 'consumer', protocols: [{ name: 'range', metadata: subscriptionBytes(this.options.topic) }], reason: null,
    });
    let joined = await join(this.memberId);
    if (joined.errorCode === ErrorCode.MEMBER_ID_REQUIRED) joined = await join(joined.memberId);
    if (!this.running || joined.errorCode !== ErrorCode.NONE) return;
    this.memberId = joined.memberId;
    this.generationId = joined.generationId;
    const assignments = joined.leader === joined.memberId ? rangeAssignments(this.options.topic, this.options.partitionCount, joined.members.map((m: any) => m.memberId)) : [];
    const synced = await this.connection.call<any>(14, 5, {
      groupId: this.options.groupId, generationId: joined.generationId, memberId: this.memberId, groupInstanceId: null,
      protocolType: 'consumer', protocolName: 'range', assignments,
    });
    if (synced.errorCode === ErrorCode.NONE) {
      this.syncedGeneration = joined.generationId;
      this.onEvent();
    }
    this.scheduleHeartbeat();
  }

  private scheduleHeartbeat(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => void this.heartbeat(), this.options.heartbeatIntervalMs);
  }

  private async heartbeat(): Promise<void> {
    const response = await this.connection.call<any>(12, 4, { groupId: this.options.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: null });
    if (!this.running) return;
    if (response.errorCode === ErrorCode.NONE) return this.scheduleHeartbeat();
    await this.rejoin();
  }

  async leave(): Promise<void> {
    this.stop();
    await this.connection.call(13, 4, { groupId: this.options.groupId, memberId: '', members: [{ memberId: this.memberId, groupInstanceId: null, reason: null }] });
    this.connection.close();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }

  close(): void {
    this.stop();
    this.connection.close();
  }
}

/** A KIP-848 member: heartbeats with what it owns, drops revoked partitions at once, takes new ones. */
export class ConsumerMember {
  memberId = '';
  memberEpoch = 0;
  owned: number[] = [];
  private topicId = '';
  private running = true;
  private timer: NodeJS.Timeout | undefined;

  private constructor(private readonly connection: Connection, private readonly options: MemberOptions, public onEvent: () => void) {}

  static async start(options: MemberOptions, onChange: () => void): Promise<ConsumerMember> {
    const member = new ConsumerMember(await Connection.open(options.port), options, onChange);
    void member.heartbeat(true);
    return member;
  }

  private async heartbeat(first = false): Promise<void> {
    const response = await this.connection.call<any>(68, 0, {
      groupId: this.options.groupId, memberId: this.memberId, memberEpoch: this.memberEpoch, instanceId: null, rackId: null,
      rebalanceTimeoutMs: first ? 10_000 : -1, subscribedTopicNames: first ? [this.options.topic] : null, subscribedTopicRegex: null,
      serverAssignor: first ? 'uniform' : null, topicPartitions: first ? [] : this.topicId === '' ? [] : [{ topicId: this.topicId, partitions: this.owned }],
    });
    if (!this.running) return;
    if (response.errorCode !== ErrorCode.NONE) throw new Error(`ConsumerGroupHeartbeat failed with error ${response.errorCode}`);
    this.memberId = response.memberId;
    this.memberEpoch = response.memberEpoch;
    const changed = response.assignment !== null && this.apply(response.assignment.topicPartitions);
    if (changed) this.onEvent();
    this.timer = setTimeout(() => void this.heartbeat(), changed ? 0 : this.options.heartbeatIntervalMs);
  }

  private apply(topicPartitions: { topicId: string; partitions: number[] }[]): boolean {
    const next = topicPartitions[0]?.partitions ?? [];
    if (topicPartitions[0] !== undefined) this.topicId = topicPartitions[0].topicId;
    const same = next.length === this.owned.length && next.every((p) => this.owned.includes(p));
    this.owned = [...next];
    return !same;
  }

  async leave(): Promise<void> {
    this.stop();
    await this.connection.call(68, 0, {
      groupId: this.options.groupId, memberId: this.memberId, memberEpoch: -1, instanceId: null, rackId: null, rebalanceTimeoutMs: -1,
      subscribedTopicNames: null, subscribedTopicRegex: null, serverAssignor: null, topicPartitions: null,
    });
    this.connection.close();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }

  close(): void {
    this.stop();
    this.connection.close();
  }
}
