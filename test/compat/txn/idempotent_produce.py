"""Produces N records r0..r{N-1} with librdkafka's idempotent producer, one at a time in order
(several in flight), and exits non-zero if any delivery failed.
Usage: idempotent_produce.py BOOTSTRAP TOPIC N"""
import sys
from confluent_kafka import Producer

bootstrap, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
failures = []

def on_delivery(err, _msg):
    if err is not None:
        failures.append(str(err))

producer = Producer({
    'bootstrap.servers': bootstrap,
    'enable.idempotence': True,
    'linger.ms': 2,
    'batch.num.messages': 3,
    'retry.backoff.ms': 20,
    'reconnect.backoff.ms': 10,
    'reconnect.backoff.max.ms': 100,
    'message.timeout.ms': 60000,
})
for i in range(count):
    producer.produce(topic, value=f'r{i}'.encode(), on_delivery=on_delivery)
    producer.poll(0)
remaining = producer.flush(90)
if failures or remaining:
    print(f'failed: {failures[:5]} remaining {remaining}')
    sys.exit(1)
print(f'delivered {count}')
