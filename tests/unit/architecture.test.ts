/**
 * The layer rules of ARCHITECTURE.md, checked on every file so they hold when nobody is watching:
 * src/core imports only core, @noble/*, @scure/* and siphash (compact block short ids), and touches no browser or timer global;
 * inside src/core a folder imports only the folders below it; nothing imports the UI or the
 * composition root.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

function filesUnder(dir: string, exts: string[]): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path, exts));
    else if (exts.some((e) => name.endsWith(e))) out.push(path);
  }
  return out;
}

/** Module specifiers of static imports, re-exports and dynamic imports. */
export function importsOf(source: string): string[] {
  const specs: string[] = [];
  const patterns = [/\bimport\s[^'"]*?from\s*['"]([^'"]+)['"]/g, /\bexport\s[^'"]*?from\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const p of patterns) for (const m of source.matchAll(p)) specs.push(m[1]!);
  return specs;
}

/** Source without comments and string contents, so prose about `window` is not code using it. */
function codeOnly(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:])\/\/.*$/gm, '$1')
    .replace(/'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"|`(?:\\.|[^`\\])*`/g, "''");
}

const forbiddenGlobals = /\b(window|document|navigator|location|indexedDB|localStorage|sessionStorage|Worker|SharedWorker|RTCPeerConnection|WebSocket|fetch|XMLHttpRequest|setTimeout|setInterval|requestAnimationFrame|performance|process)\b(?!\s*:)|\bDate\.now\b/;

const coreFiles = filesUnder(join(root, 'src/core'), ['.ts']).filter((f) => !f.endsWith('.test.ts'));

/**
 * The folders of src/core, lowest first (ARCHITECTURE.md): a folder may import itself and the
 * folders before it. index.ts, above them all, re-exports every one. Tests beside the code are
 * exempt: they build chains with testing/.
 */
const coreOrder = ['util', 'encoding', 'crypto', 'primitives', 'coins', 'consensus', 'ports', 'chain', 'mempool', 'mining', 'wallet', 'node', 'net', 'testing'];

/** The imports in a core file's source that reach a folder above the file's own. */
export function upwardImports(file: string, source: string): string[] {
  const folderOf = (path: string) => relative(join(root, 'src/core'), path).split(/[\\/]/)[0]!;
  const from = folderOf(file);
  if (from === 'index.ts') return [];
  return importsOf(source).filter((spec) => {
    if (!spec.startsWith('.')) return false;
    const to = folderOf(resolve(dirname(file), spec));
    if (to === from || to.startsWith('..')) return false;
    const rank = coreOrder.indexOf(to);
    return rank === -1 || !(rank < coreOrder.indexOf(from));
  });
}

describe('architecture', () => {
  it('behavior: there is a core to check', () => {
    expect(coreFiles.length).toBeGreaterThan(20);
  });

  it.each(coreFiles.map((f) => [relative(root, f), f]))('behavior: %s imports only core, @noble/*, @scure/* and siphash', (_name, file) => {
    for (const spec of importsOf(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        expect(relative(join(root, 'src/core'), target).startsWith('..'), `${spec} leaves src/core`).toBe(false);
      } else {
        expect(spec, `${spec} is not allowed in core`).toMatch(/^(@(noble|scure)\/|siphash$)/);
      }
    }
  });

  it.each(coreFiles.map((f) => [relative(root, f), f]))('behavior: %s touches no browser, timer or clock global', (_name, file) => {
    const code = codeOnly(readFileSync(file, 'utf8'));
    const lines = code.split('\n').filter((line) => forbiddenGlobals.test(line.replace(/\.\s*(window|document|location|process|performance|fetch)\b/g, '')));
    expect(lines).toEqual([]);
  });

  it('behavior: every folder of src/core has a place in the folder order, and index.ts is its only loose file', () => {
    const entries = readdirSync(join(root, 'src/core'));
    expect(entries.filter((name) => statSync(join(root, 'src/core', name)).isDirectory()).sort()).toEqual([...coreOrder].sort());
    expect(entries.filter((name) => !statSync(join(root, 'src/core', name)).isDirectory())).toEqual(['index.ts']);
  });

  it('behavior: inside src/core each folder imports only itself and the folders below it', () => {
    const upward = coreFiles.flatMap((file) => upwardImports(file, readFileSync(file, 'utf8')).map((spec) => `${relative(root, file)} imports ${spec}`));
    expect(upward).toEqual([]);
  });

  it('error: the folder order catches an upward import inside core', () => {
    const connectBlock = join(root, 'src/core/consensus/connect-block.ts');
    // consensus reaching up into chain for the coin model: what the coins/ folder ended.
    expect(upwardImports(connectBlock, "import { CoinCache } from '../chain/coin-cache.ts';")).toEqual(['../chain/coin-cache.ts']);
    expect(upwardImports(connectBlock, "import { CoinCache } from '../coins/coin-cache.ts';\nimport { merkleRoot } from './merkle.ts';")).toEqual([]);
    // A port file may not reach up into the chain it serves; index.ts may import anything.
    expect(upwardImports(join(root, 'src/core/ports/clock.ts'), "export type { Chain } from '../chain/chain.ts';")).toEqual(['../chain/chain.ts']);
    expect(upwardImports(join(root, 'src/core/index.ts'), "export { Network } from './net/network.ts';")).toEqual([]);
    // A folder nobody placed in the order is caught too.
    expect(upwardImports(join(root, 'src/core/chain/chain.ts'), "import { x } from '../newfolder/x.ts';")).toEqual(['../newfolder/x.ts']);
  });

  it('behavior: adapters import only core and other adapters; app imports no UI', () => {
    const layerOf = (file: string) => relative(join(root, 'src'), file).split(/[\\/]/)[0];
    const allowed: Record<string, string[]> = { adapters: ['core', 'adapters'], app: ['core', 'adapters', 'app'] };
    for (const layer of Object.keys(allowed)) {
      for (const file of filesUnder(join(root, 'src', layer), ['.ts']).filter((f) => !f.endsWith('.test.ts'))) {
        for (const spec of importsOf(readFileSync(file, 'utf8'))) {
          if (!spec.startsWith('.')) continue;
          const target = layerOf(resolve(dirname(file), spec));
          expect(allowed[layer], `${relative(root, file)} imports ${spec}`).toContain(target);
        }
      }
    }
  });

  it('behavior: nothing imports the UI or the composition root except the composition root', () => {
    const all = filesUnder(join(root, 'src'), ['.ts', '.svelte']).filter((f) => !f.includes(`${join('src', 'ui')}`) && !f.endsWith('main.ts'));
    for (const file of all) {
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        const target = relative(join(root, 'src'), resolve(dirname(file), spec));
        expect(target.startsWith('ui') || target === 'main.ts', `${relative(root, file)} imports ${spec}`).toBe(false);
      }
    }
  });

  /** The layer a file of the repository is in: a folder of src/, or the signaling server. */
  const layerOf = (file: string): string => {
    const path = relative(root, file).split(/[\\/]/);
    return path[0] === 'src' ? (path.length === 2 ? path[1]!.replace(/\.ts$/, '') : path[1]!) : path[0]!;
  };
  const outerRules: [layer: string, dir: string, allowed: string[]][] = [
    // The UI (Svelte components and their helpers) sees the core and the app layer, never an adapter.
    ['ui', 'src/ui', ['core', 'app', 'ui']],
    // The headless node composes core, adapters and app, and serves /signal with the server's code.
    ['headless', 'src/headless', ['core', 'adapters', 'app', 'headless', 'signaling-server']],
    // The signaling server shares only the core's protocol (signaling messages, peer identity).
    ['signaling-server', 'signaling-server', ['core', 'signaling-server']],
    // The network simulator runs the real core and the app's connector; of the adapters only the
    // connector's own seams (timers, link and signaling types: simAdapterFiles), and the signaling
    // server's room bookkeeping and message checks.
    ['sim', 'src/sim', ['core', 'app', 'adapters', 'sim', 'signaling-server']],
  ];
  /** The adapter files the simulator may import: no browser, storage or worker adapter. */
  const simAdapterFiles = ['adapters/host-timers.ts', 'adapters/net/webrtc-link.ts', 'adapters/net/link-path.ts', 'adapters/net/connection-budget.ts'];
  /** The signaling server's files the simulator may import (no sockets or HTTP). */
  const simServerFiles = ['signaling-server/signaling-rooms.ts', 'signaling-server/client-messages.ts'];

  it('behavior: the simulator imports only the connector seams of adapters, the rooms of the signaling server, and no UI', () => {
    const files = filesUnder(join(root, 'src/sim'), ['.ts']).filter((f) => !f.endsWith('.test.ts'));
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) {
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        const target = resolve(dirname(file), spec);
        const layer = layerOf(target);
        if (layer === 'adapters') expect(simAdapterFiles, `${relative(root, file)} imports ${spec}`).toContain(relative(join(root, 'src'), target));
        if (layer === 'signaling-server') expect(simServerFiles, `${relative(root, file)} imports ${spec}`).toContain(relative(root, target));
      }
    }
  });

  it.each(outerRules)('behavior: %s (.ts and .svelte) imports only its allowed layers', (layer, dir, allowed) => {
    const files = filesUnder(join(root, dir), ['.ts', '.svelte']).filter((f) => !f.endsWith('.test.ts'));
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) {
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        const target = layerOf(resolve(dirname(file), spec));
        expect(allowed, `${relative(root, file)} (${layer}) imports ${spec}`).toContain(target);
      }
    }
  });

  it('error: the scanner catches a core file that breaks the rules', () => {
    const bad = "import { openDB } from 'idb';\nimport x from '../../adapters/store.ts';\nconst t = Date.now(); window.alert(t);";
    expect(importsOf(bad)).toEqual(['idb', '../../adapters/store.ts']);
    expect(codeOnly(bad).split('\n').some((l) => forbiddenGlobals.test(l))).toBe(true);
    expect(codeOnly('// window is mentioned in a comment\nconst a = 1;').split('\n').some((l) => forbiddenGlobals.test(l))).toBe(false);
    // A component importing an adapter is seen as such.
    const component = join(root, 'src/ui/wallet/Bad.svelte');
    const [spec] = importsOf("<script lang=\"ts\">\n  import { IdbChainStore } from '../../adapters/idb/idb-chain-store.ts';\n</script>");
    expect(layerOf(resolve(dirname(component), spec!))).toBe('adapters');
    expect(outerRules.find(([layer]) => layer === 'ui')![2]).not.toContain('adapters');
    expect(layerOf(join(root, 'signaling-server/server.ts'))).toBe('signaling-server');
    expect(layerOf(join(root, 'src/main.ts'))).toBe('main');
  });
});
