# python3-kafka (kafka-python 2.0.2) session against a Rill broker; prints one JSON line of
# observations for kafka-python.test.ts. Usage: client.py BOOTSTRAP VALUE_AT_LIMIT
import json
import sys

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient, NewPartitions, NewTopic
from kafka.codec import has_lz4, has_snappy, has_zstd

bootstrap, value_at_limit = sys.argv[1], int(sys.argv[2])
T0 = 1_700_000_000_000
CODECS = ['none', 'gzip'] + [name for name, has in (('snappy', has_snappy()), ('lz4', has_lz4()), ('zstd', has_zstd())) if has]
out = {'codecs': CODECS}


def value(codec):
    return ('v-%s-' % codec + 'abc' * 100).encode()


def produce(topic, records, **config):
    """records: (key, value, headers, timestamp_ms); returns [offset or exception class name]."""
    p = KafkaProducer(bootstrap_servers=bootstrap, retries=0, **{'linger_ms': 50, **config})
    futures = [p.send(topic, key=k, value=v, headers=h or [], timestamp_ms=ts) for k, v, h, ts in records]
    p.flush(30)
    results = []
    for f in futures:
        try:
            results.append(f.get(timeout=30).offset)
        except Exception as e:  # the broker's error, as kafka-python maps it
            results.append(type(e).__name__)
    p.close(10)
    return results


def consume(topic, offset, count, **config):
    c = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, consumer_timeout_ms=2000, **config)
    tp = TopicPartition(topic, 0)
    c.assign([tp])
    c.seek(tp, offset)
    got = []
    for _ in range(20):
        if len(got) >= count:
            break
        for batch in c.poll(timeout_ms=1000).values():
            for m in batch:
                got.append({
                    'offset': m.offset,
                    'key': None if m.key is None else m.key.decode(),
                    'value': None if m.value is None else m.value.decode(),
                    'headers': [[k, v.decode()] for k, v in (m.headers or [])],
                    'timestamp': m.timestamp,
                })
    c.close()
    return got[:count]


admin = KafkaAdminClient(bootstrap_servers=bootstrap)
cluster = admin.describe_cluster()
out['metadata'] = {'brokers': [[b['node_id'], b['host'], b['port']] for b in cluster['brokers']],
                   'cluster_id': cluster.get('cluster_id'), 'controller_id': cluster.get('controller_id')}

# Admin: create (3 partitions), create again, delete.
created = admin.create_topics([NewTopic('kp-created', 3, 1)])
out['create_errors'] = [e[1] for e in created.topic_errors]
out['created_partitions'] = [len(t['partitions']) for t in admin.describe_topics(['kp-created'])]
try:
    again = admin.create_topics([NewTopic('kp-created', 1, 1)])
    out['create_again'] = [e[1] for e in again.topic_errors]
except Exception as e:  # kafka-python raises the topic error
    out['create_again'] = [type(e).__name__]
deleted = admin.delete_topics(['kp-created'])
out['delete_errors'] = [e[1] for e in deleted.topic_error_codes]
out['after_delete'] = 'kp-created' in admin.list_topics()

# Partitions and configs: one CreatePartitions for three topics (one unknown), AlterConfigs,
# DescribeConfigs of the topic.
admin.create_topics([NewTopic('kp-grow', 1, 1), NewTopic('kp-grow2', 1, 1)])
try:
    grown = admin.create_partitions({'kp-grow': NewPartitions(3), 'kp-grow2': NewPartitions(2), 'kp-missing': NewPartitions(2)})
    out['create_partitions'] = sorted([e[0], e[1]] for e in grown.topic_errors)
except Exception as e:  # kafka-python raises on the first topic error
    out['create_partitions'] = type(e).__name__
out['grown'] = sorted([t['topic'], len(t['partitions'])] for t in admin.describe_topics(['kp-grow', 'kp-grow2']))
altered = admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, 'kp-grow', configs={'retention.ms': '3600000'})])
out['alter_errors'] = [r[0] for r in altered.resources]
described = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, 'kp-grow')])
out['configs'] = {}
for response in described:
    for resource in response.resources:
        out['configs'][resource[3]] = {c[0]: [c[1], c[2], c[3]] for c in resource[4]}

# Keys, null values, headers, codecs: one producer (one batch) per codec.
admin.create_topics([NewTopic('kp-data', 1, 1)])
out['produce'] = {}
for codec in CODECS:
    records = [(('k-' + codec).encode(), value(codec), [('h', codec.encode()), ('dup', b'1'), ('dup', b'2')], None),
               (('null-' + codec).encode(), None, None, None)]
    out['produce'][codec] = produce('kp-data', records, compression_type=None if codec == 'none' else codec)
out['data'] = consume('kp-data', 0, 2 * len(CODECS))
out['from_offset'] = consume('kp-data', 1, 3)

# message.max.bytes: a batch exactly at the limit, then one byte above.
out['at_limit'] = produce('kp-big', [(None, b'x' * value_at_limit, None, None)])
out['above_limit'] = produce('kp-big', [(None, b'y' * (value_at_limit + 1), None, None)])

# Timestamps: three records in one batch, then offsets_for_times inside and past it.
out['time_produce'] = produce('kp-time', [(None, ('t%d' % i).encode(), None, T0 + 1000 * i) for i in range(3)], linger_ms=200)
c = KafkaConsumer(bootstrap_servers=bootstrap)
tp = TopicPartition('kp-time', 0)
out['by_time'] = []
for target in (T0 + 500, T0 + 2000, T0 + 5000):
    found = c.offsets_for_times({tp: target})[tp]
    out['by_time'].append(None if found is None else [found.offset, found.timestamp])
c.close()
out['from_time'] = consume('kp-time', out['by_time'][0][0], 2)

# Auto-create by producing to an unknown topic.
out['auto_produce'] = produce('kp-auto', [(b'a', b'auto', None, None)])
out['auto_partitions'] = [len(t['partitions']) for t in admin.describe_topics(['kp-auto'])]
out['auto_data'] = consume('kp-auto', 0, 1)
# Legacy message formats: kafka-python pinned to old broker versions sends magic 1 (0.10) and
# magic 0 (0.9) message sets, plain and gzip-wrapped, and fetches with the old Fetch versions.
out['legacy'] = {}
for label, version in (('magic1', (0, 10, 1)), ('magic0', (0, 9))):
    t = 'kp-legacy-' + label
    admin.create_topics([NewTopic(t, 1, 1)])
    sent = produce(t, [(('plain-%d' % i).encode(), ('v%d' % i).encode(), None, None) for i in range(2)], api_version=version)
    sent += produce(t, [(('gzip-%d' % i).encode(), ('w%d' % i).encode(), None, None) for i in range(2)], api_version=version, compression_type='gzip')
    old = consume(t, 0, 4, api_version=version)
    new = consume(t, 0, 4)
    out['legacy'][label] = {'sent': sent, 'old': [[m['offset'], m['key'], m['value']] for m in old], 'new': [[m['offset'], m['key'], m['value']] for m in new]}
admin.close()
print(json.dumps(out))
