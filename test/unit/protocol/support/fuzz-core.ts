// Protocol fuzzing shared by the unit test (a few hundred thousand frames) and
// scripts/fuzz-protocol.mjs (a million or more): valid frames of every API/version/direction,
// mutated in random ways, plus random frames; every decode either succeeds (and the result
// re-encodes) or raises ProtocolDecodeError. Anything else "escapes" and is reported.

import {
  ProtocolDecodeError,
  apis,
  dataMessages,
  decodeRequestFrame,
  encodeRequestFrame,
  type ProtocolDecodeErrorKind,
} from '../../../../src/protocol/index.js';
import { schemaApis, schemaData } from '../../../../src/protocol/generated/schema.js';
import { randomMessage, Rng } from './random-message.js';

interface Target {
  label: string;
  /** Valid encodings to mutate. */
  seeds: Buffer[];
  decode(bytes: Buffer): unknown;
  reencode(decoded: unknown): void;
}

export interface FuzzEscape {
  target: string;
  strategy: string;
  error: string;
  inputHex: string;
}

export interface FuzzSummary {
  iterations: number;
  targets: number;
  decodedOk: number;
  rejected: Record<ProtocolDecodeErrorKind, number>;
  byStrategy: Record<string, number>;
  escapes: FuzzEscape[];
  elapsedMs: number;
}

const SEEDS_PER_TARGET = 2;

function requestTarget(apiKey: number, version: number, rng: Rng): Target {
  const api = apis.get(apiKey)!;
  const schema = schemaApis.find((a) => a.apiKey === apiKey)!.request;
  const seeds: Buffer[] = [];
  for (let i = 0; i < SEEDS_PER_TARGET; i++) {
    const header = { requestApiKey: apiKey, requestApiVersion: version, correlationId: rng.int(0, 1000), clientId: 'fuzz' };
    seeds.push(Buffer.concat(encodeRequestFrame(header, randomMessage(schema, version, rng))).subarray(4));
  }
  return {
    label: `${api.name} request v${version}`,
    seeds,
    decode: (bytes) => decodeRequestFrame(bytes),
    reencode: (decoded) => {
      const frame = decoded as ReturnType<typeof decodeRequestFrame>;
      encodeRequestFrame(frame.header, frame.body);
    },
  };
}

function responseTarget(apiKey: number, version: number, rng: Rng): Target {
  const api = apis.get(apiKey)!;
  const schema = schemaApis.find((a) => a.apiKey === apiKey)!.response;
  const seeds: Buffer[] = [];
  for (let i = 0; i < SEEDS_PER_TARGET; i++) seeds.push(api.encodeResponse(version, randomMessage(schema, version, rng)));
  return {
    label: `${api.name} response v${version}`,
    seeds,
    decode: (bytes) => api.decodeResponse(version, bytes),
    reencode: (decoded) => api.encodeResponse(version, decoded),
  };
}

function dataTarget(name: string, version: number, rng: Rng): Target {
  const data = dataMessages.get(name)!;
  const schema = schemaData.find((m) => m.name === name)!;
  const seeds: Buffer[] = [];
  for (let i = 0; i < SEEDS_PER_TARGET; i++) seeds.push(data.encode(version, randomMessage(schema, version, rng)));
  return {
    label: `${name} v${version}`,
    seeds,
    decode: (bytes) => data.decode(version, bytes),
    reencode: (decoded) => data.encode(version, decoded),
  };
}

export function buildTargets(rng: Rng): Target[] {
  const targets: Target[] = [];
  for (const api of apis.values()) {
    for (let v = api.minVersion; v <= api.maxVersion; v++) {
      targets.push(requestTarget(api.apiKey, v, rng), responseTarget(api.apiKey, v, rng));
    }
  }
  for (const data of dataMessages.values()) {
    for (let v = data.minVersion; v <= data.maxVersion; v++) targets.push(dataTarget(data.name, v, rng));
  }
  return targets;
}

// ---- mutations ----

type Mutation = (input: Buffer, rng: Rng) => Buffer;

const INTERESTING_INT32 = [0x7fffffff, -1, -2, 0x10000, 0x7fff, 0xffff, 0x1000000, 1];

const mutations: Record<string, Mutation> = {
  flipBytes: (input, rng) => {
    const out = Buffer.from(input);
    const flips = rng.int(1, 4);
    for (let i = 0; i < flips && out.length > 0; i++) out[rng.int(0, out.length - 1)] = rng.int(0, 255);
    return out;
  },
  hugeLength: (input, rng) => {
    const out = Buffer.from(input);
    if (out.length < 4) return out;
    out.writeInt32BE(INTERESTING_INT32[rng.int(0, INTERESTING_INT32.length - 1)]! | 0, rng.int(0, out.length - 4));
    return out;
  },
  varintRun: (input, rng) => {
    const out = Buffer.from(input);
    const at = rng.int(0, Math.max(0, out.length - 1));
    for (let i = at; i < Math.min(out.length, at + rng.int(1, 10)); i++) out[i] = 0xff;
    return out;
  },
  truncate: (input, rng) => input.subarray(0, rng.int(0, Math.max(0, input.length - 1))),
  extend: (input, rng) => Buffer.concat([input, rng.bytes(rng.int(1, 16))]),
  insert: (input, rng) => {
    const at = rng.int(0, input.length);
    return Buffer.concat([input.subarray(0, at), rng.bytes(rng.int(1, 8)), input.subarray(at)]);
  },
  removeSpan: (input, rng) => {
    const at = rng.int(0, input.length);
    return Buffer.concat([input.subarray(0, at), input.subarray(Math.min(input.length, at + rng.int(1, 8)))]);
  },
  randomTail: (input, rng) => {
    const keep = rng.int(0, input.length);
    return Buffer.concat([input.subarray(0, keep), rng.bytes(rng.int(0, 64))]);
  },
};

const STRATEGIES = Object.keys(mutations);

function recordEscape(summary: FuzzSummary, target: Target, strategy: string, input: Buffer, e: unknown): void {
  if (summary.escapes.length >= 20) return;
  const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  summary.escapes.push({ target: target.label, strategy, error, inputHex: input.toString('hex').slice(0, 2000) });
}

function fuzzOne(summary: FuzzSummary, target: Target, strategy: string, input: Buffer): void {
  let decoded: unknown;
  try {
    decoded = target.decode(input);
  } catch (e) {
    if (e instanceof ProtocolDecodeError) {
      summary.rejected[e.kind]++;
      return;
    }
    recordEscape(summary, target, strategy, input, e);
    return;
  }
  summary.decodedOk++;
  try {
    target.reencode(decoded);
  } catch (e) {
    recordEscape(summary, target, `${strategy} (re-encode)`, input, e);
  }
}

/** Runs `iterations` fuzz cases from `seed`; returns the summary (escapes listed, capped at 20). */
export function runFuzz(iterations: number, seed: number): FuzzSummary {
  const started = performance.now();
  const rng = new Rng(seed);
  const targets = buildTargets(rng);
  const summary: FuzzSummary = {
    iterations,
    targets: targets.length,
    decodedOk: 0,
    rejected: { 'unknown-api': 0, 'unsupported-version': 0, malformed: 0 },
    byStrategy: {},
    escapes: [],
    elapsedMs: 0,
  };
  for (let i = 0; i < iterations; i++) {
    const target = targets[rng.int(0, targets.length - 1)]!;
    const pureRandom = rng.chance(0.05);
    const strategy = pureRandom ? 'randomFrame' : STRATEGIES[rng.int(0, STRATEGIES.length - 1)]!;
    const seedBytes = target.seeds[rng.int(0, target.seeds.length - 1)]!;
    const input = pureRandom ? randomFrame(seedBytes, rng) : mutations[strategy]!(seedBytes, rng);
    summary.byStrategy[strategy] = (summary.byStrategy[strategy] ?? 0) + 1;
    fuzzOne(summary, target, strategy, input);
  }
  summary.elapsedMs = Math.round(performance.now() - started);
  return summary;
}

/** Random bytes; for request frames, keep the api key and version so the body decoder runs. */
function randomFrame(seedBytes: Buffer, rng: Rng): Buffer {
  const out = rng.bytes(rng.int(0, 128));
  if (out.length >= 4 && seedBytes.length >= 4 && rng.chance(0.7)) seedBytes.copy(out, 0, 0, 4);
  return out;
}
