// Rill's public API.
export { accel, announceAccel, loadAccelImplementation } from './accel/index.js';
export * from './accel/types.js';
