// RunningBroker.port is where the listener is bound, even when it advertises another address.
import { connect } from 'node:net';
import { expect, test } from 'vitest';
import { startBroker } from '../../../src/index.js';

test('port is the bound port when advertised.listeners names another one', async () => {
  const advertisedPort = 1; // nothing listens there; clients would go through a proxy
  const broker = await startBroker({
    port: 0,
    config: { 'advertised.listeners': `PLAINTEXT://127.0.0.1:${advertisedPort}` },
  });
  try {
    expect(broker.bootstrap).toBe(`127.0.0.1:${advertisedPort}`);
    expect(broker.port).not.toBe(advertisedPort);
    await new Promise<void>((resolve, reject) => {
      const socket = connect(broker.port, '127.0.0.1', () => {
        socket.end();
        resolve();
      });
      socket.on('error', reject);
    });
  } finally {
    await broker.stop();
  }
});
