/**
 * Hub URLs: libpq connection URLs (`postgres://user:pass@host:5432/db?sslmode=require`), turned
 * into `pg` client settings, with the password looked up the way libpq does (the URL, else
 * `PGPASSWORD`, else `~/.pgpass` / `PGPASSFILE`), and shown everywhere with the password removed.
 * Parsing and redaction are pure; only the .pgpass lookup reads a file.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HubUrlError } from './errors.js';

export const HUB_ENV = 'TRAINBOOK_HUB';

/** What `pg` needs to connect, password apart (it is asked for when the server wants it). */
export interface HubConnectionSettings {
  host?: string;
  port?: number;
  user?: string;
  database?: string;
  ssl?: false | { rejectUnauthorized: boolean; ca?: string; checkServerIdentity?: () => undefined };
  application_name: string;
  connectionTimeoutMillis?: number;
  /** The password written in the URL, if any. */
  urlPassword: string | null;
}

const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;

/** The hub URL a command uses: the option, else `TRAINBOOK_HUB`; null when neither is set. */
export function hubUrlFrom(option: string | undefined | null, env: NodeJS.ProcessEnv = process.env): string | null {
  const url = option ?? env[HUB_ENV];
  return url && url.trim() !== '' ? url.trim() : null;
}

function parse(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new HubUrlError(`"${redactUrl(url)}" is not a hub URL; give a PostgreSQL URL such as postgres://user@host:5432/db.`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new HubUrlError(`"${redactUrl(url)}" is not a PostgreSQL URL (it starts with ${parsed.protocol}//); use postgres://user@host:5432/db.`);
  }
  return parsed;
}

/**
 * Client settings from a libpq URL. `sslmode` follows libpq: `require` encrypts without checking
 * the certificate, `verify-ca` checks it against `sslrootcert`, `verify-full` also checks the host
 * name; `disable` (and no sslmode: libpq's `prefer`, which `pg` cannot fall back from) connect
 * without TLS.
 */
export function connectionSettings(url: string, readFile: (file: string) => string = (file) => fs.readFileSync(file, 'utf8')): HubConnectionSettings {
  const parsed = parse(url);
  const query = parsed.searchParams;
  const settings: HubConnectionSettings = { application_name: query.get('application_name') ?? 'trainbook', urlPassword: null };
  const socketHost = query.get('host');
  if (parsed.hostname) settings.host = decodeURIComponent(parsed.hostname.replace(/^\[|\]$/g, ''));
  else if (socketHost) settings.host = socketHost;
  if (parsed.port) settings.port = Number(parsed.port);
  else if (query.get('port')) settings.port = Number(query.get('port'));
  if (parsed.username) settings.user = decodeURIComponent(parsed.username);
  else if (query.get('user')) settings.user = query.get('user')!;
  if (parsed.password) settings.urlPassword = decodeURIComponent(parsed.password);
  else if (query.get('password')) settings.urlPassword = query.get('password');
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (database) settings.database = database;
  else if (query.get('dbname')) settings.database = query.get('dbname')!;
  const timeout = Number(query.get('connect_timeout'));
  if (Number.isFinite(timeout) && timeout > 0) settings.connectionTimeoutMillis = timeout * 1000;
  const mode = query.get('sslmode') ?? 'prefer';
  if (!(SSL_MODES as readonly string[]).includes(mode)) {
    throw new HubUrlError(`sslmode=${mode} is not a libpq SSL mode; use one of ${SSL_MODES.join(', ')}.`);
  }
  if (mode === 'require') settings.ssl = { rejectUnauthorized: false };
  else if (mode === 'verify-ca' || mode === 'verify-full') {
    const rootCert = query.get('sslrootcert') ?? path.join(os.homedir(), '.postgresql', 'root.crt');
    let ca: string | undefined;
    try {
      ca = readFile(rootCert);
    } catch {
      // No file: the system's certificate authorities check the server.
    }
    settings.ssl = { rejectUnauthorized: true, ...(ca ? { ca } : {}) };
    // verify-ca checks the certificate's authority, not the name in it.
    if (mode === 'verify-ca') settings.ssl.checkServerIdentity = () => undefined;
  } else settings.ssl = false;
  return settings;
}

/**
 * The URL without its password (in the user part or as `?password=`), for every place a URL is
 * shown: messages, logs, `hub init`'s output. Text that is not a URL is returned with anything
 * between `//user:` and `@` removed.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    if (parsed.searchParams.has('password')) parsed.searchParams.delete('password');
    return parsed.toString();
  } catch {
    return url.replace(/(\/\/[^:/@\s]*):[^@\s]*@/g, '$1@').replace(/([?&]password=)[^&\s]*/gi, '$1');
  }
}

/** `text` with every occurrence of `secret` replaced (for messages that might quote a password). */
export function withoutSecret(text: string, secret: string | null | undefined): string {
  if (!secret) return text;
  return text.split(secret).join('***');
}

export interface PgPassQuery {
  host: string;
  port: number;
  database: string;
  user: string;
}

/**
 * The password a `.pgpass` text gives for a connection (libpq's rules: the first line whose
 * `host:port:database:user` fields all match, `*` matching anything, `\` escaping `:` and `\`).
 */
export function pgpassLookup(text: string, query: PgPassQuery): string | null {
  for (const raw of text.split(/\r?\n/)) {
    if (raw.trim() === '' || raw.startsWith('#')) continue;
    const fields: string[] = [];
    let field = '';
    for (let i = 0; i < raw.length; i++) {
      const c = raw[i]!;
      if (c === '\\' && i + 1 < raw.length) field += raw[++i];
      else if (c === ':' && fields.length < 4) {
        fields.push(field);
        field = '';
      } else field += c;
    }
    fields.push(field);
    if (fields.length !== 5) continue;
    const [host, port, database, user, password] = fields as [string, string, string, string, string];
    const hostMatches = host === '*' || host === query.host || (host === 'localhost' && query.host.startsWith('/'));
    if (hostMatches && (port === '*' || port === String(query.port)) && (database === '*' || database === query.database) && (user === '*' || user === query.user)) {
      return password;
    }
  }
  return null;
}

/** The password for a connection: from the URL, else `PGPASSWORD`, else the .pgpass file (only when no one else can read it, as libpq requires). */
export function lookUpPassword(settings: HubConnectionSettings, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (settings.urlPassword !== null) return settings.urlPassword;
  if (env.PGPASSWORD !== undefined) return env.PGPASSWORD;
  const file = env.PGPASSFILE ?? path.join(os.homedir(), '.pgpass');
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile() || (stat.mode & 0o077) !== 0) return undefined;
    const user = settings.user ?? env.PGUSER ?? os.userInfo().username;
    const found = pgpassLookup(fs.readFileSync(file, 'utf8'), {
      host: settings.host ?? env.PGHOST ?? 'localhost',
      port: settings.port ?? (Number(env.PGPORT) || 5432),
      database: settings.database ?? env.PGDATABASE ?? user,
      user,
    });
    return found ?? undefined;
  } catch {
    return undefined;
  }
}
