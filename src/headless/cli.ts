/**
 * @module The command `npm run node` (and `tabchain-node`, through bin/tabchain-node.js): a
 * headless tabchain node with its REST API and signaling endpoint on one port. Prints one
 * `name: value` line per fact at start and nothing else; SIGINT or SIGTERM closes everything and
 * exits 0. Exit codes: 2 for a bad command line, 1 when the node cannot start. Options: usage in
 * run-node.ts, or `npm run node -- --help`.
 */
import { parseNodeArgs, runNode, usage, UsageError, type RunningNode } from './run-node.ts';

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

let running: RunningNode;
try {
  running = await runNode(parsed.options, { warn: (line) => void process.stderr.write(`${line}\n`) });
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  const hint = /EADDRINUSE/.test(message) ? ` (port ${parsed.options.port} is taken: pick another with --port)` : '';
  process.stderr.write(`tabchain-node: cannot start: ${message}${hint}\n`);
  process.exit(1);
}
process.stdout.write(`${running.facts.join('\n')}\n`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) {
      // A second signal while closing: give up waiting.
      process.exit(1);
    }
    stopping = true;
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`tabchain-node: error while closing: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  });
}
