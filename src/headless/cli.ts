/**
 * @module The command `npm run node` (and `tabchain-node`, through bin/tabchain-node.js): a
 * headless tabchain node with its REST API and signaling endpoint on one port. Prints one
 * `name: value` line per fact at start and nothing else; SIGINT or SIGTERM closes everything and
 * exits 0. Exit codes: 2 for a bad command line, 1 when the node cannot start or an exception
 * escaped (after trying to close). An unhandled promise rejection is logged as one line on
 * stderr and the node keeps serving. Options: usage in run-node.ts, or `npm run node -- --help`.
 */
import { parseNodeArgs, runNode, startFailureMessage, usage, UsageError, type RunningNode } from './run-node.ts';

/** How long closing may take after an uncaught exception before the process exits anyway. */
const CLOSE_AFTER_CRASH_MS = 5000;

/** One line: the error's name and message, and where it was thrown. */
function oneLine(error: unknown): string {
  if (!(error instanceof Error)) return String(error).replace(/\s+/g, ' ');
  const at = error.stack?.split('\n').find((line) => /^\s+at /.test(line))?.trim();
  return `${error.name}: ${error.message}${at ? ` (${at})` : ''}`.replace(/\s+/g, ' ');
}

let parsed: ReturnType<typeof parseNodeArgs>;
try {
  parsed = parseNodeArgs(process.argv.slice(2), process.env);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`tabchain-node: ${error.message}\n\n${usage}\n`);
  process.exit(2);
}
if (parsed.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}

let running: RunningNode | undefined;
let stopping = false;

// A safety net: the node reports its own failures, but a rejection nobody awaited must not end
// the process (Node's default), and an exception that escaped must at least close the database.
process.on('unhandledRejection', (reason) => {
  process.stderr.write(`tabchain-node: unhandled rejection, still serving: ${oneLine(reason)}\n`);
});
process.on('uncaughtException', (error) => {
  process.stderr.write(`tabchain-node: uncaught exception, stopping: ${oneLine(error)}\n`);
  if (stopping || !running) process.exit(1);
  stopping = true;
  setTimeout(() => process.exit(1), CLOSE_AFTER_CRASH_MS).unref();
  running.close().then(
    () => process.exit(1),
    () => process.exit(1),
  );
});

try {
  running = await runNode(parsed.options, { warn: (line) => void process.stderr.write(`${line}\n`) });
} catch (error) {
  process.stderr.write(`tabchain-node: cannot start: ${startFailureMessage(error, parsed.options)}\n`);
  process.exit(1);
}
const started = running;
process.stdout.write(`${started.facts.join('\n')}\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) {
      // A second signal while closing: give up waiting.
      process.exit(1);
    }
    stopping = true;
    started.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`tabchain-node: error while closing: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  });
}
