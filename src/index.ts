// Rill's public API.
export { accel, announceAccel, loadAccelImplementation } from './accel/index.js';
export * from './accel/types.js';
export { startBroker, type StartBrokerOptions, type RunningBroker } from './broker.js';
export { BrokerConfig, ConfigError, TopicConfig } from './config/index.js';
export * from './client/index.js';
