// The security state of one connection, a first-class object from the first byte on: the
// listener and its security protocol, the authenticated principal, and the TLS and SASL
// states (placeholders until TLS and SASL arrive; handlers already read the principal here).
import type { SecurityProtocol } from '../config/listeners.js';

export interface KafkaPrincipal {
  principalType: string;
  name: string;
}

export const ANONYMOUS: KafkaPrincipal = Object.freeze({ principalType: 'User', name: 'ANONYMOUS' });

export function principalToString(principal: KafkaPrincipal): string {
  return `${principal.principalType}:${principal.name}`;
}

export type SaslPhase = 'none' | 'handshake-done' | 'authenticating' | 'authenticated' | 'failed';

export interface SaslState {
  phase: SaslPhase;
  mechanism: string | null;
  /** When the session expires (KIP-368), ms since the epoch; null = never. */
  sessionExpiresAtMs: number | null;
}

export interface TlsState {
  /** The negotiated protocol (TLSv1.3, ...) once the handshake finished. */
  protocol: string | null;
  /** The peer certificate's subject, when the client presented one. */
  peerSubject: string | null;
}

export class ConnectionSecurity {
  principal: KafkaPrincipal = ANONYMOUS;
  readonly sasl: SaslState = { phase: 'none', mechanism: null, sessionExpiresAtMs: null };
  /** null on plaintext listeners. */
  tls: TlsState | null;

  constructor(readonly listenerName: string, readonly securityProtocol: SecurityProtocol) {
    this.tls = securityProtocol === 'SSL' || securityProtocol === 'SASL_SSL' ? { protocol: null, peerSubject: null } : null;
  }

  /** Whether requests other than ApiVersions/SaslHandshake/SaslAuthenticate may run. */
  get authenticated(): boolean {
    const needsSasl = this.securityProtocol === 'SASL_PLAINTEXT' || this.securityProtocol === 'SASL_SSL';
    return !needsSasl || this.sasl.phase === 'authenticated';
  }

  get principalName(): string {
    return principalToString(this.principal);
  }
}
