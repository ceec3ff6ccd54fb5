// value(name), the text-free read the Produce path uses, equals effective(name).value for every
// broker and topic config, through static, dynamic and topic layers and Kafka's synonyms.
import { describe, expect, it } from 'vitest';
import { BrokerConfig } from '../../../src/config/broker-config.js';
import { brokerConfigDefs } from '../../../src/config/broker-configs.js';
import { parseTopicOverrides, TopicConfig } from '../../../src/config/topic-config.js';
import { topicConfigDefs } from '../../../src/config/topic-configs.js';

function expectSameValues(broker: BrokerConfig, topic: TopicConfig): void {
  for (const name of brokerConfigDefs.keys()) expect(broker.value(name), name).toEqual(broker.effective(name).value);
  for (const name of topicConfigDefs.keys()) expect(topic.value(name), name).toEqual(topic.effective(name).value);
}

describe('config value()', () => {
  it('equals effective().value with defaults only', () => {
    const broker = new BrokerConfig();
    expectSameValues(broker, new TopicConfig(broker));
  });

  it('follows static synonyms, dynamic layers and topic overrides', () => {
    const broker = new BrokerConfig({ 'log.retention.hours': 5, 'log.message.timestamp.after.max.ms': 1000 });
    const topic = new TopicConfig(broker, parseTopicOverrides([['cleanup.policy', 'compact,delete'], ['max.message.bytes', '2048']]));
    expectSameValues(broker, topic);
    expect(topic.value('retention.ms')).toBe(5 * 3_600_000);
    expect(topic.value('message.timestamp.after.max.ms')).toBe(1000);
    broker.setDynamic('log.message.timestamp.after.max.ms', '7', false);
    expect(topic.number('message.timestamp.after.max.ms')).toBe(7);
    broker.setDynamic('log.message.timestamp.after.max.ms', '9', true);
    expect(topic.number('message.timestamp.after.max.ms')).toBe(9);
    topic.set('message.timestamp.after.max.ms', '11');
    expect(topic.number('message.timestamp.after.max.ms')).toBe(11);
    expect(topic.list('cleanup.policy')).toEqual(['compact', 'delete']);
    expectSameValues(broker, topic);
  });
});
