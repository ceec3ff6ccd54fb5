// Producer option checks. Idempotence follows the Java client since Kafka 3.0 (KIP-679): on by
// default; when the user left it unset and chose acks 0/1, retries 0 or more than 5 requests in
// flight, it is silently off; when the user asked for it with one of those, the constructor
// throws a config error naming the option.
import { ProducerConfigError } from './errors.js';

export type Acks = 0 | 1 | -1 | 'all';

/** max.in.flight.requests.per.connection above this cannot keep order with idempotence. */
export const IDEMPOTENT_IN_FLIGHT_MAX = 5;

export interface IdempotenceInputs {
  idempotent: boolean | undefined;
  acks: number;
  retries: number;
  maxInFlightRequests: number;
}

export function acksValue(acks: Acks | undefined): number {
  return acks === undefined || acks === 'all' ? -1 : acks;
}

/** The first option that rules idempotence out, with why; undefined when none does. */
function idempotenceConflict(inputs: IdempotenceInputs): { option: string; reason: string } | undefined {
  if (inputs.acks !== -1) return { option: 'acks', reason: `must be 'all' (-1), got ${inputs.acks}` };
  if (inputs.retries <= 0) return { option: 'retries', reason: `must be above 0, got ${inputs.retries}` };
  if (inputs.maxInFlightRequests > IDEMPOTENT_IN_FLIGHT_MAX) {
    return { option: 'maxInFlightRequests', reason: `must be at most ${IDEMPOTENT_IN_FLIGHT_MAX}, got ${inputs.maxInFlightRequests}` };
  }
  return undefined;
}

/** Whether the producer is idempotent; throws ProducerConfigError when asked for with conflicting options. */
export function resolveIdempotence(inputs: IdempotenceInputs): boolean {
  if (inputs.idempotent === false) return false;
  const conflict = idempotenceConflict(inputs);
  if (conflict === undefined) return true;
  if (inputs.idempotent === true) {
    throw new ProducerConfigError(conflict.option, `idempotent (enable.idempotence) is true, so ${conflict.option} ${conflict.reason}`);
  }
  return false;
}
