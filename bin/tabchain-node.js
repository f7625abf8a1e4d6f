#!/usr/bin/env node
// `tabchain-node [options]` (the package's bin): Node 20 cannot run TypeScript by itself, so
// register tsx's ESM loader first, then load the command (src/headless/cli.ts). The import must
// come after register().
import { register } from 'tsx/esm/api';

register();
await import('../src/headless/cli.ts');
