// Broker and topic configuration: Kafka's names, types, defaults, validation, sources.
export { ConfigError } from './errors.js';
export { parseProperties, unescapeProperty } from './properties.js';
export * from './definitions.js';
export { brokerConfigDefs, brokerSynonyms, compressionTypes, timestampTypes, cleanupPolicies } from './broker-configs.js';
export { topicConfigDefs, type TopicConfigDef } from './topic-configs.js';
export * from './broker-config.js';
export * from './topic-config.js';
export * from './listeners.js';
export { persistDynamicConfigs } from './dynamic-configs.js';
export { limits, type Limits } from './limits.js';
