// The internal compacted topic __consumer_offsets: created on first use (offsets.topic.*
// configs, cleanup.policy=compact), appended to by the coordinator (one batch per commit or
// group change, awaited before the client is answered), replayed partition by partition at start.
import type { BrokerConfig } from '../../config/broker-config.js';
import { InternalTopic, type InternalTopicDeps } from '../internal-topic.js';

export type { ReplayFn } from '../internal-topic.js';

export const OFFSETS_TOPIC = '__consumer_offsets';

export type OffsetsTopicDeps = InternalTopicDeps;

/** __consumer_offsets; records are appended one batch per group, keyed to the group's partition. */
export class OffsetsTopic extends InternalTopic {
  constructor(deps: OffsetsTopicDeps) {
    super(deps, {
      name: OFFSETS_TOPIC,
      partitionCountKey: 'offsets.topic.num.partitions',
      segmentBytesKey: 'offsets.topic.segment.bytes',
      replayReadBytes: (config: BrokerConfig) => config.number('offsets.load.buffer.size'),
    });
  }
}
