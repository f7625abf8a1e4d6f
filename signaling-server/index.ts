/**
 * @module The signaling server's API: `startServer` for the app + signaling on one port,
 * `attachSignaling` to add the endpoint to any `http.Server`, and the TLS, ICE and device-URL
 * helpers the commands share. The command line is main.ts
 * (`node signaling-server`, through index.js).
 */
export { attachSignaling, type Signaling, type SignalingOptions, type SignalingStats } from './signaling.ts';
export { normalizeOrigin } from './allowed-origins.ts';
export { startServer, type RunningServer, type ServerOptions } from './server.ts';
export { createAppHandler, serveStatic, startStaticServer } from './static-files.ts';
export { jsonLineLogger, silentLogger, type LogEntry, type Logger } from './log.ts';
export { checkIceServersOption, checkIceUrl, iceServersFor, IceUrlError, type IceServersOption } from './ice-servers.ts';
export { turnCredential, verifyTurnCredential, type TurnCredential, type TurnCredentialCheck } from './turn-credentials.ts';
export { generateSelfSignedCertificate, loadOrCreateCertificate, readUserCertificate, TlsSetupError, type TlsPair } from './tls-certificate.ts';
export { FlagError, ICE_FLAGS_USAGE, ICE_FLAG_OPTIONS, TLS_FLAGS_USAGE, TLS_FLAG_OPTIONS, parseIceFlags, parseTlsFlags, setUpTls } from './server-flags.ts';
export { deviceUrls, startBanner, terminalQr, type DeviceUrl } from './device-urls.ts';
