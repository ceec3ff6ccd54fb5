# A librdkafka (python3-confluent-kafka) consumer group driven through joins and leaves.
# Prints one JSON line: {"violations": [...], "missing": n, "seen": n, ...}.
# Modes:
#   rebalance <bootstrap> <topic> <group> <strategy>  -- 2 members, a 3rd joins, the 1st leaves
#   static <bootstrap> <topic> <group>               -- 2 static members, one restarts
import json
import sys
import threading
import time

from confluent_kafka import Consumer, Producer

lock = threading.Lock()
owners = {}        # (topic, partition) -> member name
violations = []
seen = set()
assign_counts = {}
assignments = {}


def produce(bootstrap, topic, values):
    producer = Producer({'bootstrap.servers': bootstrap})
    for value in values:
        producer.produce(topic, value=value.encode())
    producer.flush(30)


def on_assign_for(name, cooperative):
    def on_assign(consumer, partitions):
        with lock:
            assign_counts[name] = assign_counts.get(name, 0) + 1
            for p in partitions:
                key = (p.topic, p.partition)
                if key in owners and owners[key] != name:
                    violations.append('%s:%d given to %s while %s owns it' % (p.topic, p.partition, name, owners[key]))
                owners[key] = name
            assignments[name] = sorted(p.partition for p in partitions)
        if cooperative:
            consumer.incremental_assign(partitions)
        else:
            consumer.assign(partitions)
    return on_assign


def on_revoke_for(name, cooperative):
    def on_revoke(consumer, partitions):
        with lock:
            for p in partitions:
                if owners.get((p.topic, p.partition)) == name:
                    del owners[(p.topic, p.partition)]
        if cooperative:
            consumer.incremental_unassign(partitions)
        else:
            consumer.unassign()
    return on_revoke


class Member:
    def __init__(self, name, bootstrap, topic, group, strategy, instance_id=None):
        self.name = name
        cooperative = strategy == 'cooperative-sticky'
        config = {
            'bootstrap.servers': bootstrap, 'group.id': group, 'auto.offset.reset': 'earliest',
            'session.timeout.ms': 6000 if instance_id else 3000, 'heartbeat.interval.ms': 300,
            'partition.assignment.strategy': strategy, 'enable.auto.commit': True, 'auto.commit.interval.ms': 200,
        }
        if instance_id:
            config['group.instance.id'] = instance_id
        self.consumer = Consumer(config)
        self.consumer.subscribe([topic], on_assign=on_assign_for(name, cooperative), on_revoke=on_revoke_for(name, cooperative), on_lost=on_revoke_for(name, cooperative))
        self.running = True
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while self.running:
            message = self.consumer.poll(0.1)
            if message is None or message.error():
                continue
            with lock:
                seen.add(message.value().decode())

    def close(self):
        self.running = False
        self.thread.join()
        self.consumer.close()
        with lock:
            for key in [k for k, v in owners.items() if v == self.name]:
                del owners[key]


def wait_for(check, limit_s=60):
    deadline = time.time() + limit_s
    while time.time() < deadline:
        with lock:
            if check():
                return True
        time.sleep(0.1)
    return False


def rebalance(bootstrap, topic, group, strategy):
    first = ['a%d' % i for i in range(200)]
    second = ['b%d' % i for i in range(200)]
    third = ['c%d' % i for i in range(200)]
    produce(bootstrap, topic, first)
    m1 = Member('m1', bootstrap, topic, group, strategy)
    m2 = Member('m2', bootstrap, topic, group, strategy)
    wait_for(lambda: all(v in seen for v in first))
    m3 = Member('m3', bootstrap, topic, group, strategy)
    produce(bootstrap, topic, second)
    wait_for(lambda: 'm3' in assignments and len(assignments['m3']) > 0)
    wait_for(lambda: all(v in seen for v in second))
    m1.close()
    produce(bootstrap, topic, third)
    wait_for(lambda: all(v in seen for v in third))
    everything = first + second + third
    missing = [v for v in everything if v not in seen]
    m2.close()
    m3.close()
    return {'violations': violations, 'missing': len(missing), 'seen': len(seen), 'm3_assigned': assign_counts.get('m3', 0)}


def static(bootstrap, topic, group):
    values = ['s%d' % i for i in range(100)]
    produce(bootstrap, topic, values)
    a = Member('a', bootstrap, topic, group, 'range', instance_id='static-a')
    b = Member('b', bootstrap, topic, group, 'range', instance_id='static-b')
    wait_for(lambda: len(assignments.get('a', [])) > 0 and len(assignments.get('b', [])) > 0 and all(v in seen for v in values))
    time.sleep(1.0)
    before = dict(assignments)
    a_assigns = assign_counts.get('a', 0)
    b.close()
    b2 = Member('b2', bootstrap, topic, group, 'range', instance_id='static-b')
    wait_for(lambda: len(assignments.get('b2', [])) > 0)
    time.sleep(1.0)
    result = {
        'violations': violations, 'missing': len([v for v in values if v not in seen]),
        'b_before': before.get('b'), 'b_after': assignments.get('b2'),
        'a_assigns_before': a_assigns, 'a_assigns_after': assign_counts.get('a', 0),
    }
    a.close()
    b2.close()
    return result


if __name__ == '__main__':
    mode = sys.argv[1]
    if mode == 'rebalance':
        print(json.dumps(rebalance(*sys.argv[2:6])))
    else:
        print(json.dumps(static(*sys.argv[2:5])))
    sys.stdout.flush()
