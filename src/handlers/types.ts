// What a handler file exports and what it receives.
import type { BrokerConfig } from '../config/broker-config.js';
import type { GroupCoordinator } from '../coordinator/group/coordinator.js';
import type { TransactionCoordinator } from '../coordinator/txn/coordinator.js';
import type { BoundListener } from '../server/server.js';
import type { LogFn, RequestContext, RequestHeaderInfo } from '../server/types.js';
import type { PartitionLogs } from './partition-logs.js';
import type { TopicStore } from './topic-store.js';

/** The broker's state as handlers see it. */
export interface BrokerState {
  readonly config: BrokerConfig;
  readonly nodeId: number;
  readonly clusterId: string;
  readonly topics: TopicStore;
  readonly logs: PartitionLogs;
  /** Consumer groups and committed offsets (src/coordinator/group). */
  readonly groups: GroupCoordinator;
  /** Producer ids and transactions (src/coordinator/txn). */
  readonly txn: TransactionCoordinator;
  /** Advertised listeners with their real ports. */
  advertisedListeners(): BoundListener[];
  log: LogFn;
}

export interface HandlerContext {
  request: RequestContext;
  header: RequestHeaderInfo;
  broker: BrokerState;
}

/**
 * One API key's handler. `handle` gets the decoded request body and returns the response body
 * (the api's response type), or null to send nothing (acks=0 Produce).
 */
export interface ApiHandler<Req = any, Res = any> {
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
  handle(ctx: HandlerContext, request: Req, version: number): Promise<Res | null> | Res | null;
}
