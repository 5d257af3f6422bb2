import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubPermissionError, HubSchemaError, LATEST_SCHEMA, listRuns, migrate, MIGRATIONS, openHub, pendingMigrations, pushRun, roleInstructions, type Hub } from 'trainbook/hub';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { tempDir } from '../helpers/tmp.js';
import { recordRun } from './fixtures.js';

let pg: TestPostgres;

beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(async () => {
  await pg?.destroy();
});

async function withHub<T>(url: string, work: (hub: Hub) => Promise<T>): Promise<T> {
  const hub = openHub(url);
  try {
    return await work(hub);
  } finally {
    await hub.close();
  }
}

describe('schema', () => {
  describe('pendingMigrations()', () => {
    it('lists every migration for an empty database and none for the latest', () => {
      expect(pendingMigrations(null, 'hub')).toHaveLength(MIGRATIONS.length);
      expect(pendingMigrations(LATEST_SCHEMA, 'hub')).toEqual([]);
    });
    it('refuses a schema newer than this code with a typed error', () => {
      expect(() => pendingMigrations(LATEST_SCHEMA + 1, 'hub')).toThrow(HubSchemaError);
      try {
        pendingMigrations(LATEST_SCHEMA + 1, 'hub');
      } catch (error) {
        expect((error as HubSchemaError).code).toBe('hub-schema-newer');
        expect((error as HubSchemaError).message).toMatch(/Upgrade trainbook/);
      }
    });
  });

  describe('migrate()', () => {
    it('creates the schema once; running it again (twice at once, too) changes nothing', async () => {
      pg.psql('CREATE DATABASE fresh');
      const url = pg.urlFor('postgres', 'fresh');
      const [a, b] = await Promise.all([withHub(url, migrate), withHub(url, migrate)]);
      // Each migration is applied once, by one of the two (they may take turns: one transaction per migration).
      expect([...a.applied, ...b.applied].map((m) => m.version).sort()).toEqual(MIGRATIONS.map((m) => m.version));
      expect(pg.psql(`SELECT value FROM trainbook.meta WHERE key = 'schema_version'`, 'fresh').trim()).toBe(String(LATEST_SCHEMA));
      const again = await withHub(url, migrate);
      expect(again).toMatchObject({ from: LATEST_SCHEMA, to: LATEST_SCHEMA, applied: [] });
    });

    it('refuses to touch a hub whose schema is newer, and so do push and list', async () => {
      pg.psql('CREATE DATABASE newer');
      const url = pg.urlFor('postgres', 'newer');
      await withHub(url, migrate);
      pg.psql(`UPDATE trainbook.meta SET value = '${LATEST_SCHEMA + 1}' WHERE key IN ('schema_version', 'compatible_version')`, 'newer');
      await expect(withHub(url, migrate)).rejects.toMatchObject({ code: 'hub-schema-newer' });
      await expect(withHub(url, (hub) => listRuns(hub))).rejects.toMatchObject({ code: 'hub-schema-newer' });
    });

    it('says to run hub init when the database has no schema', async () => {
      pg.psql('CREATE DATABASE empty');
      await expect(withHub(pg.urlFor('postgres', 'empty'), (hub) => listRuns(hub))).rejects.toMatchObject({ code: 'hub-schema-missing', message: expect.stringMatching(/hub init/) });
    });
  });

  describe('roleInstructions()', () => {
    it('gives a read-only role and a writer role that work as printed', async () => {
      pg.psql('CREATE DATABASE roles');
      const admin = pg.urlFor('postgres', 'roles');
      await withHub(admin, migrate);
      const sql = roleInstructions().replace("'choose-one'", "'reader-pw'").replace("'choose-another'", "'writer-pw'");
      expect(sql).toMatch(/GRANT SELECT ON ALL TABLES IN SCHEMA trainbook TO trainbook_reader/);
      pg.psql(sql, 'roles');
      const { source, id } = await recordRun(tempDir());
      const writer = pg.urlFor('trainbook_writer', 'roles', 'writer-pw');
      expect((await withHub(writer, (hub) => pushRun(hub, source))).points).toBeGreaterThan(0);
      const reader = pg.urlFor('trainbook_reader', 'roles', 'reader-pw');
      expect((await withHub(reader, (hub) => listRuns(hub))).runs.map((run) => run.id)).toEqual([id]);
      const other = await recordRun(tempDir());
      const refused = withHub(reader, (hub) => pushRun(hub, other.source));
      await expect(refused).rejects.toBeInstanceOf(HubPermissionError);
      await expect(refused).rejects.toThrow(/may only read/);
      expect(pg.psql(`SELECT count(*) FROM trainbook.runs`, 'roles').trim()).toBe('1');
    });

    it('refuses a role made by hand with SELECT only, clearly', async () => {
      pg.psql(`CREATE ROLE reader LOGIN PASSWORD 'r'; GRANT USAGE ON SCHEMA trainbook TO reader; GRANT SELECT ON ALL TABLES IN SCHEMA trainbook TO reader;`, 'roles');
      const { source } = await recordRun(tempDir());
      await expect(withHub(pg.urlFor('reader', 'roles', 'r'), (hub) => pushRun(hub, source))).rejects.toMatchObject({ code: 'hub-permission', exitCode: 2 });
    });
  });
});
