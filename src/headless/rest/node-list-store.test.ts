import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LevelSettings } from '../../adapters/level/level-small-stores.ts';
import { openNodeDatabase, type NodeDatabase } from '../../adapters/level/node-database.ts';
import { NODES_SETTING, settingsNodeStore } from './node-list-store.ts';

const dirs: string[] = [];
const dbs: NodeDatabase[] = [];
async function database(): Promise<{ dir: string; settings: LevelSettings; reopen(): Promise<LevelSettings> }> {
  const dir = mkdtempSync(join(tmpdir(), 'tabchain-nodes-'));
  dirs.push(dir);
  let db = await openNodeDatabase(join(dir, 'db'));
  dbs.push(db);
  return {
    dir,
    settings: new LevelSettings(db),
    async reopen() {
      await db.close();
      db = await openNodeDatabase(join(dir, 'db'));
      dbs.push(db);
      return new LevelSettings(db);
    },
  };
}

afterEach(async () => {
  for (const db of dbs.splice(0)) await db.close().catch(() => undefined);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('registered nodes in the settings store', () => {
  it('behavior: a saved list is read back after the database is reopened; none saved is an empty list', async () => {
    const { settings, reopen } = await database();
    expect(await settingsNodeStore(settings).load()).toEqual([]);
    await settingsNodeStore(settings).save(['http://127.0.0.1:1', 'https://node.example:443']);
    expect(await settingsNodeStore(await reopen()).load()).toEqual(['http://127.0.0.1:1', 'https://node.example:443']);
  });

  it('behavior: an earlier version’s nodes.json is moved in once: read, stored, removed; later loads read the store', async () => {
    const { dir, settings, reopen } = await database();
    const file = join(dir, 'nodes.json');
    writeFileSync(file, `${JSON.stringify({ nodes: ['http://127.0.0.1:1', 'http://127.0.0.1:2'] }, null, 2)}\n`);
    expect(await settingsNodeStore(settings, file).load()).toEqual(['http://127.0.0.1:1', 'http://127.0.0.1:2']);
    expect(existsSync(file)).toBe(false);
    expect(await settings.get(NODES_SETTING)).toBe('["http://127.0.0.1:1","http://127.0.0.1:2"]');
    expect(await settingsNodeStore(await reopen(), file).load()).toEqual(['http://127.0.0.1:1', 'http://127.0.0.1:2']);
  });

  it('behavior: a file left behind by a crash after the move is removed, and the stored list wins', async () => {
    const { dir, settings } = await database();
    const file = join(dir, 'nodes.json');
    await settingsNodeStore(settings).save(['http://127.0.0.1:3']);
    writeFileSync(file, JSON.stringify({ nodes: ['http://127.0.0.1:1'] }));
    expect(await settingsNodeStore(settings, file).load()).toEqual(['http://127.0.0.1:3']);
    expect(existsSync(file)).toBe(false);
  });

  it('error: a nodes.json that holds no list is refused and kept (nothing is stored, nothing lost)', async () => {
    const { dir, settings } = await database();
    const file = join(dir, 'nodes.json');
    writeFileSync(file, '{"nodes": "http://127.0.0.1:1"}');
    await expect(settingsNodeStore(settings, file).load()).rejects.toThrow(/holds no list of nodes/);
    expect(existsSync(file)).toBe(true);
    expect(await settings.get(NODES_SETTING)).toBeUndefined();
  });
});
