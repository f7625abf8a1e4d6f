// `node signaling-server [options]`: Node 20 cannot run TypeScript by itself, so register tsx's
// ESM loader first, then load the command line (main.ts). The import must come after register().
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
