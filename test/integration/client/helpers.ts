// Shared helpers for the client tests: one in-process broker per file, topic creation.
import { startBroker, type RunningBroker } from '../../../src/broker.js';
import { Admin } from '../../../src/client/index.js';

export async function startQuietBroker(config: Record<string, string | number | boolean> = {}): Promise<RunningBroker> {
  return startBroker({ config: { 'num.partitions': 1, ...config }, log: () => {} });
}

export async function createTopic(bootstrap: string, name: string, numPartitions: number, configs: Record<string, string> = {}): Promise<void> {
  const admin = new Admin({ bootstrap });
  try {
    await admin.createTopics([{ name, numPartitions, configs }]);
  } finally {
    await admin.close();
  }
}

let topicCounter = 0;
export function uniqueTopic(prefix: string): string {
  topicCounter += 1;
  return `${prefix}-${process.pid}-${topicCounter}`;
}
