#!/usr/bin/python3
# One short client session for scripts/capture-frames.mjs (golden request captures): metadata,
# create topic, produce, fetch, list offsets, a consumer-group join. Usage:
#   /usr/bin/python3 scripts/capture-session.py confluent-kafka|kafka-python BOOTSTRAP
# Prints one JSON line with what the session saw (for the capture log, not for the fixtures).
import json
import sys

client, bootstrap = sys.argv[1], sys.argv[2]
topic = 'golden-%s' % client
group = 'golden-%s-group' % client
client_id = 'golden-%s' % client
T0 = 1_700_000_000_000
out = {}

if client == 'confluent-kafka':
    from confluent_kafka import Consumer, Producer, TopicPartition
    from confluent_kafka.admin import AdminClient, NewTopic

    admin = AdminClient({'bootstrap.servers': bootstrap, 'client.id': client_id})
    for f in admin.create_topics([NewTopic(topic, 2, 1)]).values():
        f.result()
    out['topics'] = sorted(admin.list_topics(timeout=10).topics)
    p = Producer({'bootstrap.servers': bootstrap, 'client.id': client_id, 'acks': 'all', 'linger.ms': 100, 'compression.type': 'none'})
    for i in range(3):
        p.produce(topic, key=b'key-%d' % i, value=b'value-%d' % i, partition=0, timestamp=T0 + i, headers=[('h', b'%d' % i)])
    out['unflushed'] = p.flush(20)
    c = Consumer({'bootstrap.servers': bootstrap, 'client.id': client_id, 'group.id': group, 'auto.offset.reset': 'earliest', 'enable.auto.commit': False})
    c.subscribe([topic])
    got = []
    for _ in range(40):
        m = c.poll(0.5)
        if m is not None and not m.error():
            got.append(m.value().decode())
        if len(got) >= 3:
            break
    out['consumed'] = got
    out['watermarks'] = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)
    out['by_time'] = c.offsets_for_times([TopicPartition(topic, 0, T0 + 1)], timeout=10)[0].offset
    c.close()
elif client == 'kafka-python':
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition
    from kafka.admin import KafkaAdminClient, NewTopic

    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id=client_id)
    admin.create_topics([NewTopic(topic, 2, 1)])
    out['topics'] = sorted(admin.list_topics())
    admin.close()
    p = KafkaProducer(bootstrap_servers=bootstrap, client_id=client_id, acks=1, linger_ms=100)
    for i in range(3):
        p.send(topic, key=b'key-%d' % i, value=b'value-%d' % i, partition=0, timestamp_ms=T0 + i, headers=[('h', b'%d' % i)])
    p.flush(20)
    p.close()
    c = KafkaConsumer(topic, bootstrap_servers=bootstrap, client_id=client_id, group_id=group, auto_offset_reset='earliest', enable_auto_commit=False, consumer_timeout_ms=5000)
    out['consumed'] = []
    for m in c:
        out['consumed'].append(m.value.decode())
        if len(out['consumed']) >= 3:
            break
    tp = TopicPartition(topic, 0)
    out['end'] = c.end_offsets([tp])[tp]
    found = c.offsets_for_times({tp: T0 + 1})[tp]
    out['by_time'] = None if found is None else found.offset
    c.close()
else:
    raise SystemExit('unknown client %s' % client)

print(json.dumps(out))
