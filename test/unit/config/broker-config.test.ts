import { describe, expect, it } from 'vitest';
import { BrokerConfig, ConfigError, ConfigSource, brokerConfigDefs, parseConfigValue, parseProperties } from '../../../src/config/index.js';

describe('BrokerConfig', () => {
  it('reports Kafka defaults when nothing is set', () => {
    const config = new BrokerConfig();
    expect(config.number('num.partitions')).toBe(1);
    expect(config.number('socket.request.max.bytes')).toBe(100 * 1024 * 1024);
    expect(config.number('message.max.bytes')).toBe(1048588);
    expect(config.boolean('auto.create.topics.enable')).toBe(true);
    expect(config.effective('log.retention.ms')).toMatchObject({ value: 168 * 3_600_000, source: ConfigSource.DEFAULT_CONFIG, from: 'log.retention.hours' });
    expect(config.effective('log.flush.interval.messages').text).toBe('9223372036854775807');
    expect(config.logDirs).toEqual(['./data']);
    expect(config.listeners).toEqual([{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9092, securityProtocol: 'PLAINTEXT' }]);
  });

  it('follows retention synonyms: ms over minutes over hours', () => {
    expect(new BrokerConfig({ 'log.retention.hours': 2 }).number('log.retention.ms')).toBe(7_200_000);
    expect(new BrokerConfig({ 'log.retention.hours': 2, 'log.retention.minutes': 3 }).number('log.retention.ms')).toBe(180_000);
    const config = new BrokerConfig({ 'log.retention.hours': 2, 'log.retention.minutes': 3, 'log.retention.ms': 42 });
    expect(config.effective('log.retention.ms')).toMatchObject({ value: 42, source: ConfigSource.STATIC_BROKER_CONFIG, from: 'log.retention.ms' });
    expect(new BrokerConfig({ 'log.retention.ms': -1 }).number('log.retention.ms')).toBe(-1);
  });

  it('uses log.dir when log.dirs is unset and broker.id when node.id is unset', () => {
    expect(new BrokerConfig({ 'log.dir': '/x' }).logDirs).toEqual(['/x']);
    expect(new BrokerConfig({ 'log.dirs': '/a, /b', 'log.dir': '/x' }).logDirs).toEqual(['/a', '/b']);
    expect(new BrokerConfig({ 'broker.id': 7 }).nodeId).toBe(7);
    expect(() => new BrokerConfig({ 'broker.id': 7, 'node.id': 8 })).toThrow(ConfigError);
  });

  it('names key and value in errors for bad values', () => {
    const cases: Record<string, string>[] = [
      { 'num.partitions': 'abc' }, { 'num.partitions': '0' }, { 'auto.create.topics.enable': 'yes' },
      { 'socket.request.max.bytes': '99999999999' }, { 'compression.type': 'brotli' },
      { 'log.cleanup.policy': 'delete,shred' }, { 'log.message.timestamp.type': 'createtime' },
      { 'log.cleaner.min.cleanable.ratio': '1.5' },
    ];
    for (const input of cases) {
      const [key, value] = Object.entries(input)[0]!;
      let error: unknown;
      try {
        new BrokerConfig(input);
      } catch (err) {
        error = err;
      }
      expect(error, key).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).key).toBe(key);
      expect((error as ConfigError).message).toContain(key);
      expect((error as ConfigError).message).toContain(value);
    }
  });

  it('warns about unknown keys instead of failing', () => {
    const config = new BrokerConfig({ 'no.such.key': 1, 'num.partitions': 3 });
    expect(config.warnings).toEqual([expect.stringContaining('no.such.key')]);
    expect(config.number('num.partitions')).toBe(3);
  });

  it('parses listeners and advertised listeners and rejects unusable ones', () => {
    const config = new BrokerConfig({
      listeners: 'PLAINTEXT://0.0.0.0:0,INTERNAL://[::1]:9093',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT',
      'advertised.listeners': 'PLAINTEXT://example.com:19092',
    });
    expect(config.listeners.map((l) => [l.name, l.host, l.port])).toEqual([['PLAINTEXT', '0.0.0.0', 0], ['INTERNAL', '::1', 9093]]);
    expect(config.advertisedListeners[0]).toMatchObject({ host: 'example.com', port: 19092 });
    expect(() => new BrokerConfig({ listeners: 'PLAINTEXT://host' })).toThrow(/listeners/);
    expect(() => new BrokerConfig({ listeners: 'FOO://h:1' })).toThrow(/security.protocol.map/);
    expect(() => new BrokerConfig({ listeners: 'SSL://h:1' })).toThrow(/not supported/);
    expect(() => new BrokerConfig({ 'advertised.listeners': 'OTHER://h:1', 'listener.security.protocol.map': 'OTHER:PLAINTEXT' })).toThrow(/advertised.listeners/);
  });

  it('accepts Kafka 4.0\'s sample KRaft server.properties, serving only the broker listener', () => {
    const text = [
      'process.roles=broker,controller', 'node.id=1', 'controller.quorum.bootstrap.servers=localhost:9093',
      'listeners=PLAINTEXT://:9092,CONTROLLER://:9093', 'inter.broker.listener.name=PLAINTEXT',
      'advertised.listeners=PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093', 'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL',
      'num.network.threads=3', 'num.io.threads=8', 'socket.send.buffer.bytes=102400', 'socket.receive.buffer.bytes=102400',
      'socket.request.max.bytes=104857600', 'log.dirs=/tmp/kraft-combined-logs', 'num.partitions=1', 'num.recovery.threads.per.data.dir=1',
      'offsets.topic.replication.factor=1', 'share.coordinator.state.topic.replication.factor=1', 'share.coordinator.state.topic.min.isr=1',
      'transaction.state.log.replication.factor=1', 'transaction.state.log.min.isr=1', 'log.retention.hours=168',
      'log.segment.bytes=1073741824', 'log.retention.check.interval.ms=300000',
    ].join('\n');
    const config = new BrokerConfig(parseProperties(text));
    expect(config.listeners.map((l) => [l.name, l.host, l.port])).toEqual([['PLAINTEXT', '', 9092]]);
    expect(config.advertisedListeners.map((l) => [l.name, l.host, l.port])).toEqual([['PLAINTEXT', 'localhost', 9092]]);
    expect(config.logDirs).toEqual(['/tmp/kraft-combined-logs']);
    expect(config.warnings.join('\n')).toMatch(/controller.quorum.bootstrap.servers/);
    expect(() => new BrokerConfig({ listeners: 'CONTROLLER://:9093', 'controller.listener.names': 'CONTROLLER', 'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT' })).toThrow(ConfigError);
  });

  it('describes every config with value, source, read-only flag and synonyms', () => {
    const config = new BrokerConfig({ 'log.retention.hours': 5 });
    const described = config.describe(true);
    expect(described).toHaveLength(brokerConfigDefs.size);
    const retention = described.find((c) => c.name === 'log.retention.ms')!;
    expect(retention).toMatchObject({ value: String(5 * 3_600_000), source: ConfigSource.STATIC_BROKER_CONFIG, isDefault: false, readOnly: false });
    expect(retention.synonyms[0]).toEqual({ name: 'log.retention.hours', value: '5', source: ConfigSource.STATIC_BROKER_CONFIG });
    const partitions = described.find((c) => c.name === 'num.partitions')!;
    expect(partitions).toMatchObject({ value: '1', isDefault: true, readOnly: true, source: ConfigSource.DEFAULT_CONFIG });
    const password = new BrokerConfig({ 'ssl.key.password': 'secret' }).describe(false).find((c) => c.name === 'ssl.key.password')!;
    expect(password).toMatchObject({ value: null, isSensitive: true });
  });

  it('every default parses and validates under its own definition', () => {
    for (const def of brokerConfigDefs.values()) {
      if (def.defaultText !== null) expect(() => parseConfigValue(def, def.defaultText), def.name).not.toThrow();
    }
  });

  it('applies dynamic per-broker values over cluster-wide defaults over static values', () => {
    const config = new BrokerConfig({ 'message.max.bytes': 1000 });
    config.setDynamic('message.max.bytes', '2000', false);
    expect(config.effective('message.max.bytes')).toMatchObject({ value: 2000, source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG });
    config.setDynamic('message.max.bytes', '3000', true);
    expect(config.number('message.max.bytes')).toBe(3000);
    config.setDynamic('message.max.bytes', null, true);
    expect(config.number('message.max.bytes')).toBe(2000);
    expect(() => config.setDynamic('num.partitions', '3', true)).toThrow(/dynamically/);
    expect(() => config.setDynamic('message.max.bytes', 'x', true)).toThrow(ConfigError);
  });
});
