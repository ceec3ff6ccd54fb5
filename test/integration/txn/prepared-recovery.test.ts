// A transaction left in PrepareCommit (the broker stopped after writing PrepareCommit and before
// the markers) is completed at the next start: markers are written, the pending
// TxnOffsetCommit offsets stored with PrepareCommit are committed, and the data becomes visible
// to read_committed. The PrepareCommit record is appended to __transaction_state while the
// broker is down, exactly as the coordinator writes it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startBroker } from '../../../src/broker.js';
import { offsetsPartitionFor } from '../../../src/coordinator/group/hash.js';
import { encodePendingOffsetsKey, encodePendingOffsetsValue, encodeTxnKey, encodeTxnValue } from '../../../src/coordinator/txn/txn-log-records.js';
import { defaultStorageContext } from '../../../src/log/io.js';
import { PartitionLog } from '../../../src/log/partition-log.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { buildBatch } from '../../../src/protocol/records/index.js';
import { RawClient } from '../groups/raw-client.js';
import { kafkaFor, readAll, txnTestConfig, uniqueName } from './helpers.js';
import { describeTransaction, initProducerId, produceBatch } from './raw-txn.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('a transaction left in PrepareCommit', () => {
  it('is committed at the next start, with its pending offsets', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rill-txn-prepared-'));
    dirs.push(dataDir);
    const topic = uniqueName('prepared');
    const groupId = uniqueName('group');
    const transactionalId = uniqueName('tid');
    let broker = await startBroker({ dataDir, config: txnTestConfig, log: () => {} });
    const admin = kafkaFor(broker.bootstrap).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    await admin.disconnect();
    const client = await RawClient.open(broker.port);
    const ids = await initProducerId(client, transactionalId, 60_000);
    const added = await client.call<{ resultsByTopicV3AndBelow: { resultsByPartition: { partitionErrorCode: number }[] }[] }>(24, 3, {
      v3AndBelowTransactionalId: transactionalId, v3AndBelowProducerId: ids.producerId, v3AndBelowProducerEpoch: ids.producerEpoch,
      v3AndBelowTopics: [{ name: topic, partitions: [0] }], transactions: [],
    });
    expect(added.resultsByTopicV3AndBelow[0]!.resultsByPartition[0]!.partitionErrorCode).toBe(ErrorCode.NONE);
    expect((await client.call<{ errorCode: number }>(25, 3, { transactionalId, ...ids, groupId })).errorCode).toBe(ErrorCode.NONE);
    expect((await produceBatch(client, topic, { ...ids, baseSequence: 0, count: 3, transactional: true }, transactionalId)).errorCode).toBe(ErrorCode.NONE);
    client.close();
    await broker.stop();

    const offsetsPartition = offsetsPartitionFor(groupId, txnTestConfig['offsets.topic.num.partitions']);
    const txnLog = PartitionLog.open({ dir: join(dataDir, `__transaction_state-${offsetsPartitionFor(transactionalId, txnTestConfig['transaction.state.log.num.partitions'])}`), context: defaultStorageContext(), cleanShutdown: true });
    const nowMs = Date.now();
    const prepare = encodeTxnValue({
      producerId: Number(ids.producerId), producerEpoch: ids.producerEpoch, timeoutMs: 60_000, state: 'PrepareCommit',
      partitions: [{ topic, partitions: [0] }, { topic: '__consumer_offsets', partitions: [offsetsPartition] }], lastUpdateMs: nowMs, startMs: nowMs,
    });
    const pending = encodePendingOffsetsValue([{ groupId, topic, partition: 0, offset: '3', leaderEpoch: -1, metadata: 'm', commitTimestampMs: nowMs }]);
    await txnLog.append(buildBatch({ records: [{ key: encodeTxnKey(transactionalId), value: prepare }, { key: encodePendingOffsetsKey(transactionalId), value: pending }] }));
    await txnLog.close();

    broker = await startBroker({ dataDir, config: txnTestConfig, log: () => {} });
    const after = await RawClient.open(broker.port);
    expect((await describeTransaction(after, transactionalId)).transactionState).toBe('CompleteCommit');
    after.close();
    const kafka = kafkaFor(broker.bootstrap);
    expect(await readAll(kafka, topic, { expected: 3 })).toEqual(['s0', 's1', 's2']);
    const offsetsAdmin = kafka.admin();
    await offsetsAdmin.connect();
    const [fetched] = await offsetsAdmin.fetchOffsets({ groupId, topics: [topic] });
    await offsetsAdmin.disconnect();
    expect(fetched!.partitions[0]).toMatchObject({ partition: 0, offset: '3', metadata: 'm' });
    await broker.stop();
  });
});
