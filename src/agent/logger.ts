import pino, { type Logger } from 'pino';

/** The agent's root logger: NDJSON to $HXE_HOME/agent.log. Secrets never reach it (specs are logged redacted or not at all). */
export function createAgentLogger(file: string, level = 'info'): Logger {
  const destination = pino.destination({ dest: file, mkdir: true, sync: false });
  return pino({ level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}
