"""Consume-transform-produce with librdkafka transactions: reads INPUT (read_committed), writes
each value + '-out' to OUTPUT and commits the consumed offsets in the same transaction
(send_offsets_to_transaction). Prints 'committed <n>' after each commit and 'in-txn' once a
transaction holds output but is not yet committed. With --slow it pauses inside each
transaction (so a test can SIGKILL it there). Exits 0 when it has caught up with INPUT.
Usage: transform.py BOOTSTRAP INPUT OUTPUT GROUP TRANSACTIONAL_ID [--slow]"""
import sys
import time
from confluent_kafka import Consumer, Producer, TopicPartition

bootstrap, source, sink, group, transactional_id = sys.argv[1:6]
slow = '--slow' in sys.argv[6:]

consumer = Consumer({
    'bootstrap.servers': bootstrap,
    'group.id': group,
    'enable.auto.commit': False,
    'auto.offset.reset': 'earliest',
    'isolation.level': 'read_committed',
    'session.timeout.ms': 2000,
    'heartbeat.interval.ms': 300,
})
producer = Producer({
    'bootstrap.servers': bootstrap,
    'transactional.id': transactional_id,
    'transaction.timeout.ms': 20000,
    'linger.ms': 1,
})
producer.init_transactions(30)
consumer.subscribe([source])


def caught_up():
    assignment = consumer.assignment()
    if not assignment:
        return False
    for tp in consumer.position(assignment):
        _low, high = consumer.get_watermark_offsets(TopicPartition(tp.topic, tp.partition), timeout=5)
        if tp.offset < 0 or tp.offset < high:
            return False
    return True


committed = 0
idle_since = time.time()
while True:
    messages = consumer.consume(num_messages=10, timeout=0.5)
    messages = [m for m in messages if m.error() is None]
    if not messages:
        if caught_up() and time.time() - idle_since > 1.0:
            break
        continue
    idle_since = time.time()
    producer.begin_transaction()
    for message in messages:
        producer.produce(sink, key=message.key(), value=message.value() + b'-out')
    producer.flush(30)
    if slow:
        print('in-txn', flush=True)
        time.sleep(0.3)
    producer.send_offsets_to_transaction(consumer.position(consumer.assignment()), consumer.consumer_group_metadata(), 30)
    producer.commit_transaction(30)
    committed += len(messages)
    print(f'committed {committed}', flush=True)
consumer.close()
print('done', flush=True)
