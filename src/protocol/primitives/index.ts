export { Reader, type RawTaggedField } from './reader.js';
export { Writer } from './writer.js';
export * from './headers.js';
export type { ApiDescriptor, DataDescriptor } from './api.js';
