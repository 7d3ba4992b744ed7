import { pino, type Logger, type LoggerOptions, type DestinationStream } from 'pino';
import { activeTraceIds } from './context.ts';

export type { Logger } from 'pino';

export interface LoggerSettings {
  service: string;
  level?: string;
  /** Extra fields on every line (replica id, zone...). */
  base?: Record<string, unknown>;
  /** For tests: capture lines instead of writing to stdout. */
  destination?: DestinationStream;
}

/**
 * JSON lines to stdout, each carrying trace_id and span_id of the active span so a log line can be
 * opened as its trace. Level names, not numbers, because that is what people grep for.
 */
export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? 'info',
    base: { service: settings.service, pid: process.pid, ...settings.base },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: () => activeTraceIds() ?? {},
    redact: { paths: ['req.headers.authorization', '*.password', '*.token'], censor: '[redacted]' },
  };
  return settings.destination ? pino(options, settings.destination) : pino(options);
}
