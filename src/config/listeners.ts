// `listeners` / `advertised.listeners`: NAME://host:port entries, with the security protocol of
// each name from `listener.security.protocol.map`. Only PLAINTEXT is served for now.
import { ConfigError } from './errors.js';

export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
const securityProtocols: readonly SecurityProtocol[] = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];
/** Protocols the network server can serve today. */
export const servedSecurityProtocols: readonly SecurityProtocol[] = ['PLAINTEXT'];

export interface ListenerSpec {
  /** Listener name, upper case (PLAINTEXT, INTERNAL, ...). */
  name: string;
  /** Host to bind or advertise; '' means every interface (bind) or this host's name (advertise). */
  host: string;
  port: number;
  securityProtocol: SecurityProtocol;
}

const listenerPattern = /^([A-Za-z0-9_]+):\/\/(\[[0-9A-Fa-f:.]+\]|[^:/\[\]]*):(\d{1,5})$/;

/** Parses `listener.security.protocol.map` (NAME:PROTOCOL,...). */
export function parseProtocolMap(key: string, text: string): Map<string, SecurityProtocol> {
  const map = new Map<string, SecurityProtocol>();
  for (const entry of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const [name, protocol, extra] = entry.split(':');
    if (name === undefined || protocol === undefined || extra !== undefined) {
      throw new ConfigError(key, text, `entry ${JSON.stringify(entry)} is not NAME:PROTOCOL`);
    }
    const upper = protocol.toUpperCase() as SecurityProtocol;
    if (!securityProtocols.includes(upper)) throw new ConfigError(key, text, `unknown security protocol ${protocol}`);
    map.set(name.toUpperCase(), upper);
  }
  return map;
}

function parseOne(key: string, text: string, entry: string, protocols: Map<string, SecurityProtocol>): ListenerSpec {
  const match = listenerPattern.exec(entry);
  if (match === null) throw new ConfigError(key, text, `listener ${JSON.stringify(entry)} is not NAME://host:port`);
  const name = match[1]!.toUpperCase();
  const port = Number(match[3]);
  if (port > 65535) throw new ConfigError(key, text, `port ${port} is out of range`);
  const securityProtocol = protocols.get(name) ?? (securityProtocols.includes(name as SecurityProtocol) ? (name as SecurityProtocol) : undefined);
  if (securityProtocol === undefined) {
    throw new ConfigError(key, text, `listener name ${name} has no entry in listener.security.protocol.map`);
  }
  const host = match[2]!.startsWith('[') ? match[2]!.slice(1, -1) : match[2]!;
  return { name, host, port, securityProtocol };
}

/** Parses a listener list; names must be unique. */
export function parseListeners(key: string, text: string, protocols: Map<string, SecurityProtocol>): ListenerSpec[] {
  const entries = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const listeners = entries.map((entry) => parseOne(key, text, entry, protocols));
  const names = new Set<string>();
  for (const listener of listeners) {
    if (names.has(listener.name)) throw new ConfigError(key, text, `listener name ${listener.name} appears twice`);
    names.add(listener.name);
  }
  return listeners;
}

/** Checks that the listeners can be served and advertised listeners name bound listeners. */
export function checkListeners(listeners: ListenerSpec[], advertised: ListenerSpec[], advertisedText: string): void {
  if (listeners.length === 0) throw new ConfigError('listeners', '', 'at least one listener is required');
  for (const listener of listeners) {
    if (!servedSecurityProtocols.includes(listener.securityProtocol)) {
      throw new ConfigError('listeners', `${listener.name}://${listener.host}:${listener.port}`,
        `security protocol ${listener.securityProtocol} is not supported yet (only ${servedSecurityProtocols.join(', ')})`);
    }
  }
  for (const entry of advertised) {
    if (!listeners.some((l) => l.name === entry.name)) {
      throw new ConfigError('advertised.listeners', advertisedText, `listener ${entry.name} is not in listeners`);
    }
  }
}
