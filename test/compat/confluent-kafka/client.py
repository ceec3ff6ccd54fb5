# python3-confluent-kafka (librdkafka) session against a Rill broker; prints one JSON line of
# observations for confluent-kafka.test.ts to assert on. Usage: client.py BOOTSTRAP VALUE_AT_LIMIT
import json
import sys

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, ConfigSource, NewPartitions, NewTopic

bootstrap, value_at_limit, node_id = sys.argv[1], int(sys.argv[2]), sys.argv[3]
CODECS = sys.argv[4].split(',') if len(sys.argv) > 4 else ['none', 'gzip', 'snappy', 'lz4', 'zstd']
T0 = 1_700_000_000_000
out = {}


def value(codec):
    # librdkafka sends a batch uncompressed when compressing does not shrink it: values compress.
    return ('v-%s-' % codec + 'abc' * 100).encode()


def produce(topic, records, **config):
    """records: (key, value, headers, timestamp); returns the delivery error names (None: ok)."""
    p = Producer({'bootstrap.servers': bootstrap, 'linger.ms': 50, **config})
    results = []
    for key, val, headers, ts in records:
        kwargs = {'key': key, 'value': val, 'on_delivery': lambda e, m: results.append(None if e is None else e.name())}
        if headers is not None:
            kwargs['headers'] = headers
        if ts is not None:
            kwargs['timestamp'] = ts
        p.produce(topic, **kwargs)
    remaining = p.flush(30)
    return results + ['UNDELIVERED'] * remaining


def consume(topic, offset, count):
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'ck-reader', 'enable.auto.commit': False})
    c.assign([TopicPartition(topic, 0, offset)])
    got = []
    for _ in range(50):
        if len(got) >= count:
            break
        m = c.poll(1.0)
        if m is None or m.error():
            continue
        got.append({
            'offset': m.offset(),
            'key': None if m.key() is None else m.key().decode(),
            'value': None if m.value() is None else m.value().decode(),
            'headers': [[k, None if v is None else v.decode()] for k, v in (m.headers() or [])],
            'timestamp': m.timestamp()[1],
        })
    c.close()
    return got


admin = AdminClient({'bootstrap.servers': bootstrap})

# Admin: create (3 partitions), read back, delete.
for f in admin.create_topics([NewTopic('ck-created', 3, 1)]).values():
    f.result()
md = admin.list_topics(timeout=10)
out['metadata'] = {
    'brokers': [[b.id, b.host, b.port] for b in md.brokers.values()],
    'cluster_id': md.cluster_id,
    'controller_id': md.controller_id,
    'created_partitions': len(md.topics['ck-created'].partitions) if 'ck-created' in md.topics else None,
}
dup = admin.create_topics([NewTopic('ck-created', 1, 1)])['ck-created'].exception()
out['create_again'] = None if dup is None else dup.args[0].name()
for f in admin.delete_topics(['ck-created']).values():
    f.result()
out['after_delete'] = 'ck-created' in admin.list_topics(timeout=10).topics

# Partitions and configs: one CreatePartitions for three topics (one unknown), AlterConfigs,
# DescribeConfigs of a topic and of the broker.
for f in admin.create_topics([NewTopic('ck-grow', 1, 1), NewTopic('ck-grow2', 1, 1)]).values():
    f.result()
grown = admin.create_partitions([NewPartitions('ck-grow', 3), NewPartitions('ck-grow2', 2), NewPartitions('ck-missing', 2)])
out['create_partitions'] = {t: (None if f.exception() is None else f.exception().args[0].name()) for t, f in grown.items()}
md = admin.list_topics(timeout=10)
out['grown'] = [len(md.topics['ck-grow'].partitions), len(md.topics['ck-grow2'].partitions)]
for f in admin.alter_configs([ConfigResource('topic', 'ck-grow', set_config={'retention.ms': '3600000'})]).values():
    f.result()
described = admin.describe_configs([ConfigResource('topic', 'ck-grow'), ConfigResource('broker', node_id)])
out['configs'] = {}
for resource, f in described.items():
    out['configs'][str(resource.restype).split('.')[-1].lower()] = {
        name: [e.value, ConfigSource(e.source).name, e.is_read_only, e.is_default] for name, e in f.result().items()
    }

# Keys, null values, headers, every codec: one flush per codec, so one batch per codec.
for f in admin.create_topics([NewTopic('ck-data', 1, 1)]).values():
    f.result()
out['produce_errors'] = {}
for codec in CODECS:
    records = [
        (('k-' + codec).encode(), value(codec), [('h', codec.encode()), ('dup', b'1'), ('dup', b'2')], None),
        (('null-' + codec).encode(), None, None, None),
    ]
    out['produce_errors'][codec] = produce('ck-data', records, **{'compression.type': codec})
out['data'] = consume('ck-data', 0, 2 * len(CODECS))
out['from_offset'] = consume('ck-data', 7, 3)

# message.max.bytes: a batch exactly at the limit, then one byte above.
out['at_limit'] = produce('ck-big', [(None, b'x' * value_at_limit, None, None)], **{'compression.type': 'none'})
out['above_limit'] = produce('ck-big', [(None, b'y' * (value_at_limit + 1), None, None)], **{'compression.type': 'none'})

# Timestamps: three records in ONE batch (linger), then offsets_for_times inside it and past it.
out['time_produce'] = produce('ck-time', [(None, ('t%d' % i).encode(), None, T0 + 1000 * i) for i in range(3)], **{'linger.ms': 200})
c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'ck-time-reader'})
# One lookup per call: librdkafka merges duplicate partitions within one request.
out['by_time'] = [c.offsets_for_times([TopicPartition('ck-time', 0, target)], timeout=10)[0].offset for target in (T0 + 500, T0 + 2000, T0 + 5000)]
c.close()
out['from_time'] = consume('ck-time', out['by_time'][0], 2)

# Auto-create by producing to an unknown topic.
out['auto_produce'] = produce('ck-auto', [(b'a', b'auto', None, None)])
auto = admin.list_topics(topic='ck-auto', timeout=10).topics.get('ck-auto')
out['auto_partitions'] = None if auto is None else len(auto.partitions)
out['auto_data'] = consume('ck-auto', 0, 1)

print(json.dumps(out))
