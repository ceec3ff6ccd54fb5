// A broken internal invariant of the TypeScript implementation: a bug, never bad input.
// compression.ts lets it escape unwrapped so tests fail loudly.

export class AccelInvariantError extends Error {
  constructor(message: string) {
    super(`accel/js invariant broken: ${message}`);
    this.name = 'AccelInvariantError';
  }
}

export function invariant(condition: boolean, message: () => string): asserts condition {
  if (!condition) throw new AccelInvariantError(message());
}
