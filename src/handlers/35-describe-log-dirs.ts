// DescribeLogDirs (api key 35), versions 0-4: each data directory with each asked partition's
// size (all partitions when topics is null), offset lag 0 (no future replicas), and from v4 the
// directory's total and usable bytes.
import { statfsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ErrorCode } from '../protocol/error-codes.js';
import {
  defaultDescribeLogDirsResponse,
  type DescribeLogDirsRequest,
  type DescribeLogDirsResponse,
  type DescribeLogDirsResponseDescribeLogDirsTopic,
} from '../protocol/index.js';
import type { ApiHandler, BrokerState } from './types.js';

export const DESCRIBE_LOG_DIRS_KEY = 35;

function askedPartitions(broker: BrokerState, request: DescribeLogDirsRequest): { topic: string; partitions: number[] }[] {
  if (request.topics !== null) return request.topics;
  return broker.topics.list().map((t) => ({ topic: t.name, partitions: Array.from({ length: t.partitionCount }, (_, i) => i) }));
}

function describedTopics(broker: BrokerState, request: DescribeLogDirsRequest, dataDir: string): DescribeLogDirsResponseDescribeLogDirsTopic[] {
  return askedPartitions(broker, request)
    .map(({ topic, partitions }) => ({
      name: topic,
      partitions: partitions.flatMap((partitionIndex) => {
        const partitionLog = broker.logs.get(topic, partitionIndex);
        if (partitionLog === undefined || dirname(partitionLog.dir) !== dataDir) return [];
        return [{ partitionIndex, partitionSize: BigInt(partitionLog.sizeBytes), offsetLag: 0n, isFutureKey: false }];
      }),
    }))
    .filter((t) => t.partitions.length > 0);
}

function diskBytes(dir: string): { totalBytes: bigint; usableBytes: bigint } {
  const stats = statfsSync(dir, { bigint: true });
  return { totalBytes: stats.blocks * stats.bsize, usableBytes: stats.bavail * stats.bsize };
}

export const describeLogDirsHandler: ApiHandler<DescribeLogDirsRequest, DescribeLogDirsResponse> = {
  apiKey: DESCRIBE_LOG_DIRS_KEY,
  minVersion: 0,
  maxVersion: 4,
  handle(ctx, request) {
    const results = ctx.broker.logs.dataDirs.map((dataDir) => ({
      errorCode: ErrorCode.NONE,
      logDir: resolve(dataDir),
      topics: describedTopics(ctx.broker, request, dataDir),
      ...diskBytes(dataDir),
    }));
    return { ...defaultDescribeLogDirsResponse(), results };
  },
};
