// Committed offsets in memory: group -> topic -> partition -> CommittedOffset. The log of
// __consumer_offsets is the durable copy; this map is rebuilt from it at start.
import type { CommittedOffset } from './offsets-records.js';

export type TopicOffsets = Map<number, CommittedOffset>;

export class OffsetStore {
  private readonly byGroup = new Map<string, Map<string, TopicOffsets>>();

  get(groupId: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.byGroup.get(groupId)?.get(topic)?.get(partition);
  }

  set(groupId: string, topic: string, partition: number, value: CommittedOffset): void {
    let topics = this.byGroup.get(groupId);
    if (topics === undefined) this.byGroup.set(groupId, (topics = new Map()));
    let partitions = topics.get(topic);
    if (partitions === undefined) topics.set(topic, (partitions = new Map()));
    partitions.set(partition, value);
  }

  delete(groupId: string, topic: string, partition: number): boolean {
    const topics = this.byGroup.get(groupId);
    const partitions = topics?.get(topic);
    if (partitions === undefined || !partitions.delete(partition)) return false;
    if (partitions.size === 0) topics!.delete(topic);
    if (topics!.size === 0) this.byGroup.delete(groupId);
    return true;
  }

  /** The group's offsets by topic (a live view; copy before mutating the store). */
  topicsOf(groupId: string): Map<string, TopicOffsets> {
    return this.byGroup.get(groupId) ?? new Map();
  }

  /** Every (topic, partition) the group has an offset for. */
  partitionsOf(groupId: string): { topic: string; partition: number; value: CommittedOffset }[] {
    const out: { topic: string; partition: number; value: CommittedOffset }[] = [];
    for (const [topic, partitions] of this.topicsOf(groupId)) {
      for (const [partition, value] of partitions) out.push({ topic, partition, value });
    }
    return out;
  }

  hasOffsets(groupId: string): boolean {
    return this.byGroup.has(groupId);
  }

  deleteGroup(groupId: string): void {
    this.byGroup.delete(groupId);
  }

  groupIds(): string[] {
    return [...this.byGroup.keys()];
  }
}
