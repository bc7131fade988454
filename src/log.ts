import pino from 'pino';

export type Logger = pino.Logger;

/** Structured JSON logs on stdout; secrets never reach a log line (see `redact`). */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'mendian-zhushou' },
      redact: { paths: ['*.secret', '*.token', '*.encodingAesKey', '*.access_token', 'config.wecom'], censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
