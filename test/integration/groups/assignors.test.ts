// KIP-848 server-side assignors, property-tested over random groups: every partition of a
// subscribed topic goes to exactly one subscriber; uniform is balanced (max - min <= 1 for equal
// subscriptions) and sticky (adding a member moves only what the newcomer takes); range gives
// contiguous ranges.
import { describe, expect, it } from 'vitest';
import { rangeAssignor, uniformAssignor, type AssignorMember } from '../../../src/coordinator/group/assignors.js';
import type { Assignment } from '../../../src/coordinator/group/consumer-group.js';

function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

function randomGroup(next: () => number, homogeneous: boolean) {
  const topics = Array.from({ length: 1 + Math.floor(next() * 4) }, (_, i) => `t${i}`);
  const partitionCounts = new Map(topics.map((t) => [t, 1 + Math.floor(next() * 40)]));
  const members: AssignorMember[] = Array.from({ length: 1 + Math.floor(next() * 12) }, (_, i) => ({
    memberId: `m${i}-${Math.floor(next() * 1e6)}`,
    subscribedTopicNames: homogeneous ? topics : topics.filter(() => next() < 0.6),
  }));
  return { members, partitionCounts };
}

function owners(targets: Map<string, Assignment>): Map<string, string[]> {
  const byPartition = new Map<string, string[]>();
  for (const [memberId, assignment] of targets) {
    for (const [topic, partitions] of assignment) for (const p of partitions) byPartition.set(`${topic}:${p}`, [...(byPartition.get(`${topic}:${p}`) ?? []), memberId]);
  }
  return byPartition;
}

/** Problems found: partitions with no owner, two owners, or an owner not subscribed. */
function incompleteness(members: AssignorMember[], partitionCounts: Map<string, number>, targets: Map<string, Assignment>): string[] {
  const byPartition = owners(targets);
  const problems: string[] = [];
  for (const [topic, count] of partitionCounts) {
    const subscribers = new Set(members.filter((m) => m.subscribedTopicNames.includes(topic)).map((m) => m.memberId));
    for (let p = 0; p < count; p++) {
      const owner = byPartition.get(`${topic}:${p}`) ?? [];
      if (owner.length !== (subscribers.size > 0 ? 1 : 0)) problems.push(`${topic}:${p} has ${owner.length} owners`);
      if (owner.length === 1 && !subscribers.has(owner[0]!)) problems.push(`${topic}:${p} owned by non-subscriber ${owner[0]}`);
    }
  }
  return problems;
}

const size = (a: Assignment | undefined) => [...(a ?? new Map()).values()].reduce((n, s) => n + s.size, 0);

describe('assignors', () => {
  it('assign every subscribed partition exactly once to a subscriber (300 random groups each)', () => {
    const next = random(42);
    const problems: string[] = [];
    for (let round = 0; round < 300; round++) {
      const { members, partitionCounts } = randomGroup(next, false);
      for (const assignor of [uniformAssignor, rangeAssignor]) problems.push(...incompleteness(members, partitionCounts, assignor({ members, partitionCounts, previous: new Map() })));
    }
    expect(problems).toEqual([]);
  });

  it('uniform balances equal subscriptions and moves only what a newcomer takes', () => {
    const next = random(7);
    for (let round = 0; round < 150; round++) {
      const { members, partitionCounts } = randomGroup(next, true);
      const before = uniformAssignor({ members, partitionCounts, previous: new Map() });
      const sizes = members.map((m) => size(before.get(m.memberId)));
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      const newcomer = { memberId: 'zz-new', subscribedTopicNames: members[0]!.subscribedTopicNames };
      const after = uniformAssignor({ members: [...members, newcomer], partitionCounts, previous: before });
      const beforeOwners = owners(before);
      let moved = 0;
      for (const [partition, [owner]] of owners(after)) if (owner !== newcomer.memberId && beforeOwners.get(partition)?.[0] !== owner) moved++;
      expect(moved).toBe(0);
      expect(incompleteness([...members, newcomer], partitionCounts, after)).toEqual([]);
    }
  });

  it('range gives each member contiguous partitions of each topic', () => {
    const members = ['b', 'a', 'c'].map((memberId) => ({ memberId, subscribedTopicNames: ['t'] }));
    const targets = rangeAssignor({ members, partitionCounts: new Map([['t', 7]]), previous: new Map() });
    expect(['a', 'b', 'c'].map((id) => [...targets.get(id)!.get('t')!])).toEqual([[0, 1, 2], [3, 4], [5, 6]]);
  });
});
