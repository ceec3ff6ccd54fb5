// The handler registry: every handler file's api key and version range, intersected with the
// range the protocol codecs support. ApiVersions advertises exactly this.
import { getApi } from '../protocol/index.js';
import type { ApiHandler } from './types.js';

export interface SupportedApi {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

export class HandlerRegistry {
  private readonly handlers = new Map<number, ApiHandler>();
  private readonly ranges = new Map<number, SupportedApi>();

  constructor(handlers: readonly ApiHandler[]) {
    for (const handler of handlers) this.add(handler);
  }

  private add(handler: ApiHandler): void {
    if (this.handlers.has(handler.apiKey)) throw new Error(`rill: two handlers for api key ${handler.apiKey}`);
    const api = getApi(handler.apiKey);
    if (api === undefined) return;
    const minVersion = Math.max(handler.minVersion, api.minVersion);
    const maxVersion = Math.min(handler.maxVersion, api.maxVersion);
    if (minVersion > maxVersion) return;
    this.handlers.set(handler.apiKey, handler);
    this.ranges.set(handler.apiKey, { apiKey: handler.apiKey, minVersion, maxVersion });
  }

  supports(apiKey: number, version: number): boolean {
    const range = this.ranges.get(apiKey);
    return range !== undefined && version >= range.minVersion && version <= range.maxVersion;
  }

  handler(apiKey: number): ApiHandler | undefined {
    return this.handlers.get(apiKey);
  }

  /** Supported apis sorted by key. */
  supportedApis(): SupportedApi[] {
    return [...this.ranges.values()].sort((a, b) => a.apiKey - b.apiKey);
  }
}
