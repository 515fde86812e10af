import type { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { MetricUnit } from '@aws-lambda-powertools/metrics/types';

/** One line a logger was asked to write. */
export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  attributes: Record<string, unknown>;
}

/** What Powertools' Logger methods take: a message (or an object with one), then attributes. */
type LogArguments = Parameters<Logger['info']>;

/** A logger that writes nothing and keeps every line, for tests that check what is logged. */
export class RecordingLogger {
  readonly lines: LogLine[] = [];

  debug(...line: LogArguments): void {
    this.#record('debug', line);
  }

  info(...line: LogArguments): void {
    this.#record('info', line);
  }

  warn(...line: LogArguments): void {
    this.#record('warn', line);
  }

  error(...line: LogArguments): void {
    this.#record('error', line);
  }

  /** The lines with this message, in order. */
  named(message: string): LogLine[] {
    return this.lines.filter((line) => line.message === message);
  }

  /** Attributes merged as Powertools merges them: an Error under `error`, a string under `extra`. */
  #record(level: LogLine['level'], [input, ...extra]: LogArguments): void {
    const { message, ...attributes }: Record<string, unknown> & { message: string } = typeof input === 'string' ? { message: input } : input;
    for (const item of extra) {
      if (item instanceof Error) attributes.error = item;
      else if (typeof item === 'string') attributes.extra = item;
      else Object.assign(attributes, item);
    }
    this.lines.push({ level, message, attributes });
  }
}

/** One data point, as Powertools Metrics' addMetric takes it. */
export interface MetricPoint {
  name: string;
  unit: string;
  value: number;
  /** Its own dimensions beside `service`, where it has any (a single metric's). */
  dimensions?: Record<string, string>;
}

/**
 * Powertools Metrics that store and publish nothing, and keep every data point; a single metric
 * keeps its points, with their dimensions, in the list of the metrics it was made from.
 */
export class RecordingMetrics extends Metrics {
  readonly #dimensions: Record<string, string> = {};

  constructor(readonly points: MetricPoint[] = []) {
    super();
  }

  override addMetric(name: string, unit: MetricUnit, value: number): this {
    this.points.push(Object.keys(this.#dimensions).length > 0 ? { name, unit, value, dimensions: { ...this.#dimensions } } : { name, unit, value });
    return this;
  }

  override addDimension(name: string, value: string): this {
    this.#dimensions[name] = value;
    return this;
  }

  override singleMetric(): RecordingMetrics {
    return new RecordingMetrics(this.points);
  }
}
