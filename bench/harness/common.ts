// Shared pieces of the produce/consume/e2e benchmarks: latency histograms (hdr-histogram-js,
// microseconds in, milliseconds out), throughput sampling over time, a progress bar on a TTY,
// the one-line JSON summary, and the hand-written SVG (percentile curve + throughput curve).
import * as hdr from 'hdr-histogram-js';

export const LATENCY_PERCENTILES = [50, 90, 99, 99.9] as const;

export interface LatencySummaryMs {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  count: number;
}

/** A latency histogram in microseconds, 1 us to 10 minutes, 3 significant digits. */
export class LatencyRecorder {
  private readonly histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });

  recordMs(latencyMs: number): void {
    this.histogram.recordValue(Math.max(1, Math.round(latencyMs * 1000)));
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  summaryMs(): LatencySummaryMs {
    const atMs = (p: number) => this.histogram.getValueAtPercentile(p) / 1000;
    return { p50: atMs(50), p90: atMs(90), p99: atMs(99), p999: atMs(99.9), max: this.histogram.maxValue / 1000, count: this.histogram.totalCount };
  }

  /** The percentile curve: [percentile, ms] points on a log scale of 1/(1-p). */
  curveMs(): Array<[number, number]> {
    if (this.histogram.totalCount === 0) return [];
    const points: Array<[number, number]> = [];
    for (const p of [0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999, 100]) {
      points.push([p, this.histogram.getValueAtPercentile(p) / 1000]);
    }
    return points;
  }
}

/** Samples a running count every intervalMs into [seconds since start, count/s] points. */
export class ThroughputSampler {
  readonly points: Array<[number, number]> = [];
  private readonly startMs = performance.now();
  private lastMs = this.startMs;
  private lastCount = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly count: () => number, intervalMs = 250) {
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  private sample(): void {
    const nowMs = performance.now();
    const count = this.count();
    const rate = ((count - this.lastCount) * 1000) / Math.max(1e-6, nowMs - this.lastMs);
    this.points.push([(nowMs - this.startMs) / 1000, rate]);
    this.lastMs = nowMs;
    this.lastCount = count;
  }

  stop(): Array<[number, number]> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
    return this.points;
  }
}

/** A one-line progress bar on stderr when it is a terminal; silent otherwise. */
export class ProgressBar {
  private readonly enabled = process.stderr.isTTY === true;
  private timer: NodeJS.Timeout | undefined;
  private readonly startMs = performance.now();

  constructor(private readonly label: string, private readonly total: number, private readonly done: () => number) {
    if (this.enabled) this.timer = setInterval(() => this.draw(), 200);
  }

  private draw(): void {
    const done = this.done();
    const fraction = Math.min(1, this.total > 0 ? done / this.total : 0);
    const width = 30;
    const filled = Math.round(fraction * width);
    const seconds = (performance.now() - this.startMs) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    process.stderr.write(`\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0)}% ${formatCount(rate)}/s `);
  }

  stop(): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.draw();
    process.stderr.write('\n');
  }
}

export function formatCount(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)}k`;
  return value.toFixed(0);
}

export function round(value: number, digits = 3): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Waits until the event loop has run pending I/O (lets sockets drain inside tight loops). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

// ---- SVG ------------------------------------------------------------------------------------

interface Panel {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Array<{ name: string; points: Array<[number, number]>; color: string }>;
  /** Maps x for plotting (e.g. percentile -> log scale). */
  xTransform?: (x: number) => number;
  xTicks?: Array<[number, string]>;
}

const PANEL_WIDTH = 560;
const PANEL_HEIGHT = 300;
const MARGIN = { left: 70, right: 20, top: 30, bottom: 45 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function panelSvg(panel: Panel, offsetX: number): string {
  const tx = panel.xTransform ?? ((x: number) => x);
  const all = panel.series.flatMap((s) => s.points);
  const xs = all.map(([x]) => tx(x));
  const xMin = Math.min(0, ...xs);
  const xMax = Math.max(1e-9, ...xs);
  const yMax = niceMax(Math.max(0, ...all.map(([, y]) => y)));
  const plotW = PANEL_WIDTH - MARGIN.left - MARGIN.right;
  const plotH = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const px = (x: number) => offsetX + MARGIN.left + ((tx(x) - xMin) / (xMax - xMin)) * plotW;
  const py = (y: number) => MARGIN.top + plotH - (y / yMax) * plotH;
  const parts: string[] = [];
  parts.push(`<text x="${offsetX + PANEL_WIDTH / 2}" y="18" text-anchor="middle" font-size="14">${escapeXml(panel.title)}</text>`);
  parts.push(`<rect x="${offsetX + MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`);
  for (let i = 0; i <= 4; i++) {
    const y = (yMax * i) / 4;
    parts.push(`<line x1="${offsetX + MARGIN.left}" x2="${offsetX + MARGIN.left + plotW}" y1="${py(y)}" y2="${py(y)}" stroke="#eee"/>`);
    parts.push(`<text x="${offsetX + MARGIN.left - 6}" y="${py(y) + 4}" text-anchor="end" font-size="11">${escapeXml(formatTick(y))}</text>`);
  }
  for (const [x, label] of panel.xTicks ?? defaultTicks(xMin, xMax)) {
    parts.push(`<text x="${px(x)}" y="${MARGIN.top + plotH + 16}" text-anchor="middle" font-size="11">${escapeXml(label)}</text>`);
  }
  parts.push(`<text x="${offsetX + MARGIN.left + plotW / 2}" y="${PANEL_HEIGHT - 8}" text-anchor="middle" font-size="12">${escapeXml(panel.xLabel)}</text>`);
  parts.push(`<text transform="translate(${offsetX + 16},${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle" font-size="12">${escapeXml(panel.yLabel)}</text>`);
  panel.series.forEach((s, i) => {
    if (s.points.length === 0) return;
    const d = s.points.map(([x, y], j) => `${j === 0 ? 'M' : 'L'}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    parts.push(`<text x="${offsetX + MARGIN.left + 8}" y="${MARGIN.top + 14 + i * 14}" font-size="11" fill="${s.color}">${escapeXml(s.name)}</text>`);
  });
  return parts.join('\n');
}

function formatTick(value: number): string {
  if (value >= 1e6) return `${round(value / 1e6, 2)}M`;
  if (value >= 1e3) return `${round(value / 1e3, 1)}k`;
  return String(round(value, 2));
}

function defaultTicks(min: number, max: number): Array<[number, string]> {
  return [0, 1, 2, 3, 4].map((i) => {
    const x = min + ((max - min) * i) / 4;
    return [x, formatTick(x)];
  });
}

/** log10(1/(1-p)) for percentile p in [0, 100]; 100 is drawn at 99.9999. */
export function percentileScale(p: number): number {
  const fraction = Math.min(p, 99.9999) / 100;
  return Math.log10(1 / (1 - fraction));
}

const PERCENTILE_TICKS: Array<[number, string]> = [
  [0, '0'],
  [90, '90'],
  [99, '99'],
  [99.9, '99.9'],
  [99.99, '99.99'],
  [99.999, '99.999'],
];

export interface ChartInput {
  title: string;
  latency: Array<{ name: string; curveMs: Array<[number, number]> }>;
  throughput: Array<{ name: string; points: Array<[number, number]> }>;
  throughputUnit: string;
}

/** Two panels: latency percentile curves (left) and throughput over time (right). */
export function renderChartSvg(input: ChartInput): string {
  const width = PANEL_WIDTH * 2;
  const left = panelSvg(
    {
      title: 'latency by percentile',
      xLabel: 'percentile',
      yLabel: 'latency (ms)',
      series: input.latency.map((l, i) => ({ name: l.name, points: l.curveMs, color: COLORS[i % COLORS.length]! })),
      xTransform: percentileScale,
      xTicks: PERCENTILE_TICKS,
    },
    0,
  );
  const right = panelSvg(
    {
      title: 'throughput over time',
      xLabel: 'time (s)',
      yLabel: input.throughputUnit,
      series: input.throughput.map((t, i) => ({ name: t.name, points: t.points, color: COLORS[i % COLORS.length]! })),
    },
    PANEL_WIDTH,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${PANEL_HEIGHT + 24}" viewBox="0 0 ${width} ${PANEL_HEIGHT + 24}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<g transform="translate(0,24)">`,
    left,
    right,
    `</g>`,
    `<text x="${width / 2}" y="16" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(input.title)}</text>`,
    `</svg>`,
    '',
  ].join('\n');
}
