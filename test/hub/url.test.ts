import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionSettings, hubUrlFrom, listRuns, migrate, openHub, pgpassLookup, redactUrl, HubUrlError } from 'trainbook/hub';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { tempDir } from '../helpers/tmp.js';

describe('url', () => {
  describe('redactUrl()', () => {
    it('removes the password from the user part and from ?password=', () => {
      expect(redactUrl('postgres://ana:s3cr%40t@db.example.com:5432/team?sslmode=require')).toBe('postgres://ana@db.example.com:5432/team?sslmode=require');
      expect(redactUrl('postgresql://db/team?user=ana&password=s3cret')).not.toContain('s3cret');
      expect(redactUrl('not a url ://ana:s3cret@host')).not.toContain('s3cret');
    });
  });

  describe('connectionSettings()', () => {
    it('reads libpq URLs: user, password, host, port, database, sslmode', () => {
      const settings = connectionSettings('postgres://ana:p%40ss@db.example.com:6543/team?sslmode=require&application_name=nb');
      expect(settings).toMatchObject({ user: 'ana', urlPassword: 'p@ss', host: 'db.example.com', port: 6543, database: 'team', application_name: 'nb', ssl: { rejectUnauthorized: false } });
      expect(connectionSettings('postgres://ana@db/team?sslmode=verify-full', () => 'CA').ssl).toEqual({ rejectUnauthorized: true, ca: 'CA' });
      expect(connectionSettings('postgres://ana@db/team').ssl).toBe(false);
      expect(connectionSettings('postgresql:///team?host=/var/run/postgresql').host).toBe('/var/run/postgresql');
    });
    it('refuses what is not a PostgreSQL URL, without echoing a password', () => {
      expect(() => connectionSettings('mysql://ana:hunter2@db/team')).toThrow(HubUrlError);
      expect(() => connectionSettings('mysql://ana:hunter2@db/team')).toThrow(/^(?!.*hunter2)/s);
      expect(() => connectionSettings('postgres://db/team?sslmode=sometimes')).toThrow(/sslmode/);
    });
  });

  describe('hubUrlFrom()', () => {
    it('takes the option, else TRAINBOOK_HUB', () => {
      expect(hubUrlFrom('postgres://a@b/c', { TRAINBOOK_HUB: 'postgres://x@y/z' })).toBe('postgres://a@b/c');
      expect(hubUrlFrom(undefined, { TRAINBOOK_HUB: 'postgres://x@y/z' })).toBe('postgres://x@y/z');
      expect(hubUrlFrom(undefined, {})).toBeNull();
    });
  });

  describe('pgpassLookup()', () => {
    it('takes the first matching line, with * and escapes', () => {
      const text = '# team\ndb:5432:other:ana:no\ndb:*:team:ana:pa\\:ss\n*:*:*:*:fallback\n';
      expect(pgpassLookup(text, { host: 'db', port: 5432, database: 'team', user: 'ana' })).toBe('pa:ss');
      expect(pgpassLookup(text, { host: 'elsewhere', port: 1, database: 'x', user: 'y' })).toBe('fallback');
    });
  });
});

describe('credentials against a real server', () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startPostgres();
    const admin = openHub(pg.url);
    await migrate(admin);
    await admin.close();
    pg.psql(`CREATE ROLE ana LOGIN PASSWORD 'right-password-123'; GRANT USAGE ON SCHEMA trainbook TO ana; GRANT SELECT ON ALL TABLES IN SCHEMA trainbook TO ana;`);
  });
  afterAll(async () => {
    await pg?.destroy();
  });

  const failure = (promise: Promise<unknown>): Promise<Error & { code: string }> =>
    promise.then(
      () => {
        throw new Error('expected a failure');
      },
      (error: unknown) => error as Error & { code: string },
    );
  const list = async (url: string, env: NodeJS.ProcessEnv = {}) => {
    const hub = openHub(url, { env });
    try {
      return await listRuns(hub);
    } finally {
      await hub.close();
    }
  };

  it('logs in with the password of the URL, PGPASSWORD or a .pgpass file', async () => {
    await expect(list(pg.urlFor('ana', 'postgres', 'right-password-123'))).resolves.toMatchObject({ total: 0 });
    await expect(list(pg.urlFor('ana'), { PGPASSWORD: 'right-password-123' })).resolves.toMatchObject({ total: 0 });
    const file = path.join(tempDir(), 'pgpass');
    fs.writeFileSync(file, `127.0.0.1:${pg.port}:postgres:ana:right-password-123\n`, { mode: 0o600 });
    await expect(list(pg.urlFor('ana'), { PGPASSFILE: file })).resolves.toMatchObject({ total: 0 });
  });

  it('ignores a .pgpass file that others can read, as libpq does', async () => {
    const file = path.join(tempDir(), 'pgpass');
    fs.writeFileSync(file, `*:*:*:ana:right-password-123\n`, { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    await expect(list(pg.urlFor('ana'), { PGPASSFILE: file })).rejects.toMatchObject({ code: 'hub-auth' });
  });

  it('says the login was refused, and the message holds no password', async () => {
    const error = await failure(list(pg.urlFor('ana', 'postgres', 'wrong-secret-987')));
    expect(error).toMatchObject({ code: 'hub-auth' });
    expect(error.message).toMatch(/refused the login/);
    expect(error.message).not.toContain('wrong-secret-987');
    expect(String(error.stack)).not.toContain('wrong-secret-987');
    const viaEnv = await failure(list(pg.urlFor('ana'), { PGPASSWORD: 'wrong-env-secret' }));
    expect(viaEnv.message).not.toContain('wrong-env-secret');
  });

  it('says when the server cannot be reached', async () => {
    const error = await failure(list(`postgres://ana:pw-in-url@127.0.0.1:1/postgres`));
    expect(error).toMatchObject({ code: 'hub-unreachable' });
    expect(error.message).not.toContain('pw-in-url');
  });
});
