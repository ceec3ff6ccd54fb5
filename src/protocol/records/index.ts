// Record data: v2 batch view/validation/patching, record decoding and building, control
// records, legacy v0/v1 message sets, and the Produce validation policy.
export * from './errors.js';
export { readInt64, writeInt64 } from './int64.js';
export * from './batch.js';
export * from './records.js';
export * from './legacy.js';
export * from './validate-produce.js';
