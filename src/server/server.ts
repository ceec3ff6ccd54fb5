// The Kafka network server: one node:net listener per entry of `listeners`, connection limits
// (max.connections, max.connections.per.ip and its overrides), and graceful shutdown (stop
// accepting, answer in-flight requests, close).
import { createServer, type Server, type Socket } from 'node:net';
import { hostname } from 'node:os';
import type { BrokerConfig } from '../config/broker-config.js';
import { ConfigError } from '../config/errors.js';
import { limits } from '../config/limits.js';
import type { ListenerSpec } from '../config/listeners.js';
import { Connection } from './connection.js';
import { RequestMemory } from './request-memory.js';
import { ConnectionSecurity } from './security-state.js';
import type { HeaderDecoder, LogFn, RequestDispatcher } from './types.js';

export interface NetworkServerOptions {
  config: BrokerConfig;
  decodeHeader: HeaderDecoder;
  dispatch: RequestDispatcher;
  log?: LogFn;
  /** Default limits.connectionWriteBufferBytesHigh (tests set a small one). */
  writeBufferBytesHigh?: number;
}

export interface NetworkServerStats {
  connectionsAccepted: number;
  connectionsRefused: number;
  /** Times a connection stopped reading because its responses were not drained. */
  backpressurePauses: number;
}

/** A listener once bound: the real port is known (port 0 binds an ephemeral one). */
export interface BoundListener {
  name: string;
  host: string;
  port: number;
  securityProtocol: ListenerSpec['securityProtocol'];
}

interface ConnectionLimits {
  connectionsMax: number;
  connectionsPerIpMax: number;
  perIpOverrides: Map<string, number>;
}

/** Parses max.connections.per.ip.overrides: `host:count,host:count`. */
export function parsePerIpOverrides(text: string): Map<string, number> {
  const overrides = new Map<string, number>();
  for (const entry of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const separator = entry.lastIndexOf(':');
    const count = Number(entry.slice(separator + 1));
    if (separator <= 0 || !Number.isInteger(count) || count < 0) {
      throw new ConfigError('max.connections.per.ip.overrides', text, `entry ${JSON.stringify(entry)} is not host:count`);
    }
    overrides.set(entry.slice(0, separator), count);
  }
  return overrides;
}

/** Normalizes IPv4-mapped IPv6 addresses so ::ffff:1.2.3.4 and 1.2.3.4 count together. */
function ipKey(address: string | undefined): string {
  if (address === undefined) return 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

export class NetworkServer {
  private readonly servers: Server[] = [];
  private readonly connections = new Set<Connection>();
  private readonly perIpCount = new Map<string, number>();
  private nextConnectionId = 1;
  private bound: BoundListener[] = [];
  private stopping: Promise<void> | null = null;
  private readonly log: LogFn;
  private readonly connectionLimits: ConnectionLimits;
  /** queued.max.requests and queued.max.request.bytes across all connections. */
  readonly requestMemory: RequestMemory;
  readonly stats: NetworkServerStats = { connectionsAccepted: 0, connectionsRefused: 0, backpressurePauses: 0 };

  constructor(private readonly options: NetworkServerOptions) {
    this.log = options.log ?? ((line) => process.stderr.write(line + '\n'));
    const config = options.config;
    this.connectionLimits = {
      connectionsMax: config.number('max.connections'),
      connectionsPerIpMax: config.number('max.connections.per.ip'),
      perIpOverrides: parsePerIpOverrides(config.string('max.connections.per.ip.overrides')),
    };
    this.requestMemory = new RequestMemory(config.number('queued.max.request.bytes'), config.number('queued.max.requests'));
  }

  /** Binds every listener; rejects (closing what was bound) when one cannot bind. */
  async start(): Promise<BoundListener[]> {
    try {
      for (const spec of this.options.config.listeners) this.bound.push(await this.listen(spec));
    } catch (err) {
      await this.closeServers();
      throw err;
    }
    return this.bound;
  }

  get listeners(): readonly BoundListener[] {
    return this.bound;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Advertised listeners with real ports (port 0 = the bound port) and hosts. */
  advertisedListeners(): BoundListener[] {
    return this.options.config.advertisedListeners.map((spec) => {
      const bound = this.bound.find((l) => l.name === spec.name);
      const port = spec.port === 0 && bound !== undefined ? bound.port : spec.port;
      return { ...spec, host: advertisedHost(spec.host), port };
    });
  }

  private listen(spec: ListenerSpec): Promise<BoundListener> {
    const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.accept(socket, spec));
    this.servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: spec.port, host: spec.host === '' ? undefined : spec.host }, () => {
        server.off('error', reject);
        server.on('error', (err) => this.log(`rill: listener ${spec.name} error: ${err.message}`));
        const address = server.address();
        const port = typeof address === 'object' && address !== null ? address.port : spec.port;
        this.log(`rill: listening on ${spec.name}://${spec.host}:${port}`);
        resolve({ name: spec.name, host: spec.host, port, securityProtocol: spec.securityProtocol });
      });
    });
  }

  private perIpMax(ip: string): number {
    return this.connectionLimits.perIpOverrides.get(ip) ?? this.connectionLimits.connectionsPerIpMax;
  }

  private admit(socket: Socket, ip: string): boolean {
    if (this.stopping !== null) return false;
    if (this.connections.size >= this.connectionLimits.connectionsMax) {
      this.log(`rill: refusing connection from ${ip}: max.connections (${this.connectionLimits.connectionsMax}) reached`);
      return false;
    }
    const fromIp = this.perIpCount.get(ip) ?? 0;
    if (fromIp >= this.perIpMax(ip)) {
      this.log(`rill: refusing connection from ${ip}: max.connections.per.ip (${this.perIpMax(ip)}) reached`);
      return false;
    }
    return socket.remoteAddress !== undefined;
  }

  private accept(socket: Socket, spec: ListenerSpec): void {
    const ip = ipKey(socket.remoteAddress);
    if (!this.admit(socket, ip)) {
      this.stats.connectionsRefused++;
      socket.destroy();
      return;
    }
    this.stats.connectionsAccepted++;
    const connection = this.createConnection(socket, spec);
    this.connections.add(connection);
    this.perIpCount.set(ip, (this.perIpCount.get(ip) ?? 0) + 1);
    void connection.whenClosed().then(() => this.release(connection, ip));
  }

  private createConnection(socket: Socket, spec: ListenerSpec): Connection {
    const config = this.options.config;
    return new Connection(socket, {
      connectionId: this.nextConnectionId++,
      listenerName: spec.name,
      security: new ConnectionSecurity(spec.name, spec.securityProtocol),
      requestBytesMax: config.number('socket.request.max.bytes'),
      queuedRequestsMax: config.number('queued.max.requests'),
      requestMemory: this.requestMemory,
      idleTimeoutMs: config.number('connections.max.idle.ms'),
      writeBufferBytesHigh: this.options.writeBufferBytesHigh ?? limits.connectionWriteBufferBytesHigh,
      onBackpressure: () => this.stats.backpressurePauses++,
      decodeHeader: this.options.decodeHeader,
      dispatch: this.options.dispatch,
      log: this.log,
    });
  }

  private release(connection: Connection, ip: string): void {
    this.connections.delete(connection);
    const remaining = (this.perIpCount.get(ip) ?? 1) - 1;
    if (remaining <= 0) this.perIpCount.delete(ip);
    else this.perIpCount.set(ip, remaining);
  }

  /** Stops accepting, lets in-flight requests finish (up to drainMs), then closes everything. */
  stop(drainMs: number): Promise<void> {
    this.stopping ??= this.stopNow(drainMs);
    return this.stopping;
  }

  private async stopNow(drainMs: number): Promise<void> {
    const serversClosed = this.closeServers();
    for (const connection of this.connections) connection.drain();
    const allClosed = Promise.all([...this.connections].map((c) => c.whenClosed()));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, drainMs);
    });
    await Promise.race([allClosed, timedOut]);
    clearTimeout(timer);
    for (const connection of this.connections) connection.destroy();
    await serversClosed;
  }

  private closeServers(): Promise<void> {
    return Promise.all(
      this.servers.map((server) => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()))),
    ).then(() => undefined);
  }
}

function advertisedHost(host: string): string {
  if (host === '' || host === '0.0.0.0' || host === '::') return hostname();
  return host;
}
