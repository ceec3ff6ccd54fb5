// A minimal Kafka wire client for compat tests: Rill's generated codecs over a raw socket, used
// to check what a real client left in the broker (batch codecs, timestamps) and to probe APIs no
// client exposes (the pitfalls).
import { connect, type Socket } from 'node:net';
import { decodeResponseFrame, encodeRequestFrame, type FetchResponse } from '../../src/protocol/index.js';
import { iterateBatches } from '../../src/protocol/records/index.js';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

export class Wire {
  private pending: Buffer = Buffer.alloc(0);
  private readonly waiters = new Map<number, (frame: Buffer) => void>();
  private nextCorrelationId = 1;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
      while (this.pending.length >= 4 && this.pending.length >= 4 + this.pending.readInt32BE(0)) {
        const frame = this.pending.subarray(4, 4 + this.pending.readInt32BE(0));
        this.pending = this.pending.subarray(4 + frame.length);
        const correlationId = frame.readInt32BE(0);
        this.waiters.get(correlationId)?.(frame);
        this.waiters.delete(correlationId);
      }
    });
    socket.on('error', () => {});
  }

  static async open(port: number): Promise<Wire> {
    const socket = connect({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.setNoDelay(true);
    return new Wire(socket);
  }

  call<T>(apiKey: number, version: number, body: unknown): Promise<T> {
    const correlationId = this.nextCorrelationId++;
    const header = { requestApiKey: apiKey, requestApiVersion: version, correlationId, clientId: 'rill-compat' };
    return new Promise((resolve, reject) => {
      const onClose = () => reject(new Error(`connection closed before api ${apiKey} v${version} was answered`));
      this.socket.once('close', onClose);
      this.waiters.set(correlationId, (frame) => {
        this.socket.off('close', onClose);
        try {
          resolve(decodeResponseFrame(apiKey, version, frame).body as T);
        } catch (e) {
          reject(e);
        }
      });
      this.socket.write(Buffer.concat(encodeRequestFrame(header, body)));
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

export interface StoredBatch {
  baseOffset: number;
  lastOffset: number;
  compression: string;
  recordCount: number;
  baseTimestamp: number;
  maxTimestamp: number;
}

/** The record batches a partition holds from fetchOffset on, as Fetch v11 returns them. */
export async function fetchBatches(port: number, topic: string, partition: number, fetchOffset = 0): Promise<StoredBatch[]> {
  const wire = await Wire.open(port);
  try {
    const response = await wire.call<FetchResponse>(1, 11, {
      clusterId: null, replicaId: -1, replicaState: { replicaId: -1, replicaEpoch: -1n }, maxWaitMs: 0, minBytes: 0,
      maxBytes: 16 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic, topicId: ZERO_UUID, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: BigInt(fetchOffset), lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 16 << 20, replicaDirectoryId: ZERO_UUID }] }],
      forgottenTopicsData: [], rackId: '',
    });
    const data = response.responses[0]!.partitions[0]!;
    if (data.errorCode !== 0) throw new Error(`fetch ${topic}-${partition}: error ${data.errorCode}`);
    const records = data.records ?? Buffer.alloc(0);
    return [...iterateBatches(records)].map((b) => ({
      baseOffset: b.baseOffset, lastOffset: b.lastOffset, compression: b.compression, recordCount: b.recordCount,
      baseTimestamp: b.baseTimestamp, maxTimestamp: b.maxTimestamp,
    }));
  } finally {
    wire.close();
  }
}

/** The codec of the batch holding each offset. */
export async function codecByOffset(port: number, topic: string, partition = 0): Promise<Map<number, string>> {
  const codecs = new Map<number, string>();
  for (const batch of await fetchBatches(port, topic, partition)) {
    for (let offset = batch.baseOffset; offset <= batch.lastOffset; offset++) codecs.set(offset, batch.compression);
  }
  return codecs;
}
