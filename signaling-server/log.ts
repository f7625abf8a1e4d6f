/**
 * @module Structured logs: one JSON object per line. Entries name an `event` and carry ids,
 * counts and reasons, never the signaling payloads relayed between peers.
 */

/** One log event: `event` plus plain JSON fields. */
export interface LogEntry {
  event: string;
  [field: string]: string | number | boolean | null | undefined | string[];
}

export type Logger = (entry: LogEntry) => void;

/** A logger writing `{"time":…,"event":…,…}` lines (to stdout unless told otherwise). */
export function jsonLineLogger(write: (line: string) => void = (line) => void process.stdout.write(line)): Logger {
  return (entry) => write(JSON.stringify({ time: new Date().toISOString(), ...entry }) + '\n');
}

/** A logger that drops everything. */
export const silentLogger: Logger = () => {};
