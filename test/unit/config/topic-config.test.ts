import { describe, expect, it } from 'vitest';
import { BrokerConfig, ConfigError, ConfigSource, TopicConfig, parseConfigValue, parseTopicOverrides, topicConfigDefs, brokerConfigDefs } from '../../../src/config/index.js';

describe('TopicConfig', () => {
  it('takes defaults from the broker config named by each topic config', () => {
    const broker = new BrokerConfig({ 'log.retention.hours': 1, 'log.segment.bytes': 4096, 'log.cleanup.policy': 'compact' });
    const topic = new TopicConfig(broker);
    expect(topic.number('retention.ms')).toBe(3_600_000);
    expect(topic.number('segment.bytes')).toBe(4096);
    expect(topic.list('cleanup.policy')).toEqual(['compact']);
    expect(topic.number('max.message.bytes')).toBe(1048588);
    expect(topic.effective('segment.bytes').source).toBe(ConfigSource.STATIC_BROKER_CONFIG);
  });

  it('prefers overrides and reports them as TOPIC_CONFIG', () => {
    const topic = new TopicConfig(new BrokerConfig(), parseTopicOverrides([['retention.ms', '1000'], ['cleanup.policy', 'compact,delete']]));
    expect(topic.effective('retention.ms')).toMatchObject({ value: 1000, source: ConfigSource.TOPIC_CONFIG });
    expect(topic.list('cleanup.policy')).toEqual(['compact', 'delete']);
    topic.set('retention.ms', null);
    expect(topic.number('retention.ms')).toBe(604_800_000);
  });

  it('sees broker-level dynamic changes', () => {
    const broker = new BrokerConfig();
    const topic = new TopicConfig(broker);
    broker.setDynamic('message.max.bytes', '500', false);
    expect(topic.number('max.message.bytes')).toBe(500);
  });

  it('rejects unknown keys and invalid values with ConfigError', () => {
    expect(() => parseTopicOverrides([['no.such', '1']])).toThrow(ConfigError);
    expect(() => parseTopicOverrides([['retention.ms', 'soon']])).toThrow(/retention.ms/);
    expect(() => parseTopicOverrides([['min.insync.replicas', '0']])).toThrow(ConfigError);
    expect(() => parseTopicOverrides([['message.timestamp.type', 'Now']])).toThrow(ConfigError);
  });

  it('describes every topic config, with broker synonyms', () => {
    const topic = new TopicConfig(new BrokerConfig({ 'log.retention.minutes': 10 }), parseTopicOverrides([['segment.ms', '5000']]));
    const described = topic.describe(true);
    expect(described.map((c) => c.name).sort()).toEqual([...topicConfigDefs.keys()].sort());
    const retention = described.find((c) => c.name === 'retention.ms')!;
    expect(retention).toMatchObject({ value: '600000', source: ConfigSource.STATIC_BROKER_CONFIG, isDefault: false });
    expect(retention.synonyms.map((s) => s.name)).toEqual(['log.retention.minutes', 'log.retention.hours']);
    const segmentMs = described.find((c) => c.name === 'segment.ms')!;
    expect(segmentMs.synonyms[0]).toEqual({ name: 'segment.ms', value: '5000', source: ConfigSource.TOPIC_CONFIG });
    expect(described.find((c) => c.name === 'flush.ms')!.value).toBe('9223372036854775807');
  });

  it('every topic config names an existing broker config and has a valid default', () => {
    for (const def of topicConfigDefs.values()) {
      if (def.brokerKey !== null) expect(brokerConfigDefs.has(def.brokerKey), def.name).toBe(true);
      if (def.defaultText !== null) expect(() => parseConfigValue(def, def.defaultText), def.name).not.toThrow();
    }
  });
});
