/**
 * @module The signaling server's API: `startServer` for the app + signaling on one port,
 * `attachSignaling` to add the endpoint to any `http.Server`. The command line is main.ts
 * (`node signaling-server`, through index.js).
 */
export { attachSignaling, normalizeOrigin, type Signaling, type SignalingOptions, type SignalingStats } from './signaling.ts';
export { startServer, type RunningServer, type ServerOptions } from './server.ts';
export { createAppHandler, serveStatic, startStaticServer } from './static-files.ts';
export { jsonLineLogger, silentLogger, type LogEntry, type Logger } from './log.ts';
