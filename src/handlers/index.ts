// Every handler file, assembled into the registry the dispatcher and ApiVersions use.
import { metadataHandler } from './03-metadata.js';
import { createApiVersionsHandler } from './18-api-versions.js';
import { HandlerRegistry } from './registry.js';
import type { ApiHandler } from './types.js';

export { createDispatcher, createHeaderDecoder } from './dispatcher.js';
export { HandlerRegistry } from './registry.js';
export { TopicStore } from './topic-store.js';
export type { ApiHandler, BrokerState, HandlerContext } from './types.js';

/** The handlers of every api Rill serves. */
export function createHandlerRegistry(): HandlerRegistry {
  let registry: HandlerRegistry | undefined;
  const handlers: ApiHandler[] = [
    metadataHandler,
    createApiVersionsHandler(() => registry!),
  ];
  registry = new HandlerRegistry(handlers);
  return registry;
}
