/**
 * @module The registered nodes kept in the node's settings store (LevelDB, synced writes), under
 * one setting. Nodes registered by an earlier version sit in `nodes.json` beside the database:
 * the first load moves them in (read, stored, then the file removed), so no registered node is lost.
 */
import { readFile, rm } from 'node:fs/promises';
import type { NodeListStore } from './node-registry.ts';

/** The setting the list is kept under (a JSON array of node URLs). */
export const NODES_SETTING = 'rest-nodes';

/** Named text settings (the headless node's `LevelSettings`). */
export interface TextSettings {
  get(name: string): Promise<string | undefined>;
  /** Resolves once the value is durably stored; a StorageError / StorageFullError otherwise. */
  set(name: string, value: string): Promise<void>;
}

function nodeList(text: string, where: string): string[] {
  const value = JSON.parse(text) as unknown;
  const nodes = Array.isArray(value) ? value : (value as { nodes?: unknown } | null)?.nodes;
  if (!Array.isArray(nodes) || !nodes.every((n) => typeof n === 'string')) throw new Error(`${where} holds no list of nodes`);
  return nodes;
}

async function readLegacy(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * The list in `settings`; `legacyFile` (an earlier version's `nodes.json`, `{ "nodes": [...] }`)
 * is moved in at the first load when the setting is not there yet, and removed once stored.
 */
export function settingsNodeStore(settings: TextSettings, legacyFile?: string): NodeListStore {
  return {
    async load() {
      const stored = await settings.get(NODES_SETTING);
      if (stored !== undefined) {
        // A crash after storing and before removing the file: the setting is the newer list.
        if (legacyFile) await rm(legacyFile, { force: true });
        return nodeList(stored, `the setting ${NODES_SETTING}`);
      }
      const legacy = legacyFile ? await readLegacy(legacyFile) : undefined;
      if (legacy === undefined) return [];
      const nodes = nodeList(legacy, legacyFile!);
      await settings.set(NODES_SETTING, JSON.stringify(nodes));
      await rm(legacyFile!, { force: true });
      return nodes;
    },
    save: (nodes) => settings.set(NODES_SETTING, JSON.stringify(nodes)),
  };
}
