import { describe, expect, it } from 'vitest';
import { createDispatcher, createHandlerRegistry, type BrokerState } from '../../../src/handlers/index.js';
import { ConnectionSecurity } from '../../../src/server/security-state.js';
import { CloseConnection, type RequestContext } from '../../../src/server/types.js';

function context(security: ConnectionSecurity): RequestContext {
  return { connectionId: 1, clientAddress: '127.0.0.1', clientPort: 1, listenerName: security.listenerName, security, requestSizeBytes: 0, receivedAtMs: 0 };
}

const apiVersionsV0Body = Buffer.alloc(0);
const metadataV1Body = Buffer.from([0xff, 0xff, 0xff, 0xff]);

describe('dispatcher', () => {
  it('allows only ApiVersions and SASL before a SASL listener authenticated the connection', async () => {
    const dispatch = createDispatcher(createHandlerRegistry(), {} as BrokerState);
    const unauthenticated = new ConnectionSecurity('SASL', 'SASL_PLAINTEXT');
    const header = (apiKey: number, version: number) => ({ requestApiKey: apiKey, requestApiVersion: version, correlationId: 3, clientId: null });
    const answer = await dispatch(context(unauthenticated), header(18, 0), apiVersionsV0Body);
    expect(Buffer.concat(answer as Buffer[]).readInt32BE(4)).toBe(3);
    await expect(dispatch(context(unauthenticated), header(3, 1), metadataV1Body)).rejects.toThrow(CloseConnection);
    unauthenticated.sasl.phase = 'authenticated';
    expect(unauthenticated.authenticated).toBe(true);
    const plaintext = new ConnectionSecurity('PLAINTEXT', 'PLAINTEXT');
    expect(plaintext.authenticated).toBe(true);
    expect(plaintext.principalName).toBe('User:ANONYMOUS');
    expect(plaintext.tls).toBeNull();
    expect(new ConnectionSecurity('S', 'SASL_SSL').tls).toEqual({ protocol: null, peerSubject: null });
  });
});
