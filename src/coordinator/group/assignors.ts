// KIP-848 server-side assignors. Both are pure: (members with subscriptions, topic partition
// counts, previous target) -> new target assignment.
// uniform: balanced and sticky. Every member first keeps up to its quota of the partitions it
//   had in the previous target (quota = floor(P/M), one more for P % M members), then the rest go
//   one by one to the eligible member holding the fewest.
// range: per topic, the subscribed members sorted by id get contiguous ranges (the first P % M
//   members one partition more), like the classic RangeAssignor.
import type { Assignment } from './consumer-group.js';

export interface AssignorMember {
  memberId: string;
  subscribedTopicNames: readonly string[];
}

export interface AssignorInput {
  members: readonly AssignorMember[];
  /** topic name -> partition count, for existing subscribed topics. */
  partitionCounts: ReadonlyMap<string, number>;
  previous: ReadonlyMap<string, Assignment>;
}

export type Assignor = (input: AssignorInput) => Map<string, Assignment>;

function emptyTargets(members: readonly AssignorMember[]): Map<string, Assignment> {
  return new Map(members.map((m) => [m.memberId, new Map()]));
}

function add(assignment: Assignment, topic: string, partition: number): void {
  let partitions = assignment.get(topic);
  if (partitions === undefined) assignment.set(topic, (partitions = new Set()));
  partitions.add(partition);
}

function countOf(assignment: Assignment): number {
  let count = 0;
  for (const partitions of assignment.values()) count += partitions.size;
  return count;
}

function sortedMembers(members: readonly AssignorMember[]): AssignorMember[] {
  return [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
}

export const rangeAssignor: Assignor = ({ members, partitionCounts }) => {
  const targets = emptyTargets(members);
  for (const [topic, partitionCount] of partitionCounts) {
    const subscribers = sortedMembers(members.filter((m) => m.subscribedTopicNames.includes(topic)));
    if (subscribers.length === 0) continue;
    const base = Math.floor(partitionCount / subscribers.length);
    const extra = partitionCount % subscribers.length;
    let next = 0;
    subscribers.forEach((member, index) => {
      const share = base + (index < extra ? 1 : 0);
      for (let i = 0; i < share; i++) add(targets.get(member.memberId)!, topic, next++);
    });
  }
  return targets;
};

interface TopicPartition {
  topic: string;
  partition: number;
}

function allPartitions(partitionCounts: ReadonlyMap<string, number>, members: readonly AssignorMember[]): TopicPartition[] {
  const out: TopicPartition[] = [];
  for (const [topic, partitionCount] of [...partitionCounts].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!members.some((m) => m.subscribedTopicNames.includes(topic))) continue;
    for (let partition = 0; partition < partitionCount; partition++) out.push({ topic, partition });
  }
  return out;
}

export const uniformAssignor: Assignor = ({ members, partitionCounts, previous }) => {
  const targets = emptyTargets(members);
  const ordered = sortedMembers(members);
  if (ordered.length === 0) return targets;
  const partitions = allPartitions(partitionCounts, ordered);
  const minQuota = Math.floor(partitions.length / ordered.length);
  let extraSlots = partitions.length % ordered.length;
  const taken = new Set<string>();
  for (const member of ordered) {
    const kept = keepPrevious(member, previous.get(member.memberId), partitionCounts, minQuota + (extraSlots > 0 ? 1 : 0));
    if (kept.length > minQuota) extraSlots--;
    for (const tp of kept) {
      add(targets.get(member.memberId)!, tp.topic, tp.partition);
      taken.add(`${tp.topic}\u0000${tp.partition}`);
    }
  }
  const counts = new Map(ordered.map((m) => [m.memberId, countOf(targets.get(m.memberId)!)]));
  for (const tp of partitions) {
    if (taken.has(`${tp.topic}\u0000${tp.partition}`)) continue;
    const best = leastLoaded(ordered, tp.topic, counts);
    if (best === undefined) continue;
    add(targets.get(best)!, tp.topic, tp.partition);
    counts.set(best, counts.get(best)! + 1);
  }
  return targets;
};

/** The subscribed member holding the fewest partitions (ties: smallest member id). */
function leastLoaded(ordered: readonly AssignorMember[], topic: string, counts: ReadonlyMap<string, number>): string | undefined {
  let best: string | undefined;
  for (const m of ordered) {
    if (!m.subscribedTopicNames.includes(topic)) continue;
    if (best === undefined || counts.get(m.memberId)! < counts.get(best)!) best = m.memberId;
  }
  return best;
}

function keepPrevious(member: AssignorMember, prior: Assignment | undefined, partitionCounts: ReadonlyMap<string, number>, quota: number): TopicPartition[] {
  const kept: TopicPartition[] = [];
  if (prior === undefined) return kept;
  for (const [topic, partitions] of prior) {
    const partitionCount = partitionCounts.get(topic);
    if (partitionCount === undefined || !member.subscribedTopicNames.includes(topic)) continue;
    for (const partition of [...partitions].sort((a, b) => a - b)) {
      if (kept.length >= quota) return kept;
      if (partition < partitionCount) kept.push({ topic, partition });
    }
  }
  return kept;
}

export const assignors: ReadonlyMap<string, Assignor> = new Map([
  ['uniform', uniformAssignor],
  ['range', rangeAssignor],
]);
