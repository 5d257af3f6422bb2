import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../errors.js';
import { hubUrl, withHub } from '../hubSession.js';

/** `trainbook hub init <url>`: create or upgrade the team hub's schema in a PostgreSQL database. */
export function register(program: Command, { io, setExit }: CommandContext): void {
  const hub = program.command('hub').description('the team hub: one PostgreSQL database that runs are pushed to and pulled from');
  hub
    .command('init')
    .description('create or upgrade the hub\'s schema (safe to run again); prints how to make a read-only and a writer role')
    .argument('[url]', 'a PostgreSQL URL such as postgres://user@host:5432/db (default: TRAINBOOK_HUB)')
    .action(async (url: string | undefined) => {
      await withHub(hubUrl(url), async (connection, module) => {
        const result = await module.migrate(connection);
        if (result.applied.length === 0) io.out(`The hub ${connection.label} is up to date (schema version ${result.to}).\n`);
        else {
          const what = result.applied.map((m) => `  v${m.version}: ${m.description}`).join('\n');
          io.out(`${result.from === null ? 'Created' : `Upgraded from version ${result.from}:`} the trainbook schema on ${connection.label} (version ${result.to}).\n${what}\n`);
        }
        io.out(`\nTo give people their own access, run as an administrator (psql):\n${module.roleInstructions()}\n`);
      });
      setExit(ExitCode.ok);
    });
  hub
    .command('status')
    .description('the hub\'s schema version and how many runs, events and points it holds')
    .argument('[url]', 'a PostgreSQL URL (default: TRAINBOOK_HUB)')
    .option('--json', 'print JSON for machines')
    .action(async (url: string | undefined, options: { json?: boolean }) => {
      await withHub(hubUrl(url), async (connection, module) => {
        const counts = await connection.withClient(async (client) => {
          const version = await module.checkSchema(client, connection.label);
          const row = await client.query<{ runs: string; events: string; points: string }>(
            `SELECT count(*) AS runs, coalesce(sum(event_count), 0) AS events, coalesce(sum(point_count), 0) AS points FROM ${module.SCHEMA}.runs`,
          );
          return { version, ...row.rows[0]! };
        });
        if (options.json) {
          const numbers = { schemaVersion: counts.version, runs: Number(counts.runs), events: Number(counts.events), points: Number(counts.points) };
          io.out(`${JSON.stringify({ hub: connection.label, ...numbers }, null, 2)}\n`);
        } else io.out(`${connection.label}: schema version ${counts.version}, ${counts.runs} runs, ${counts.events} event records, ${counts.points} metric points\n`);
      });
      setExit(ExitCode.ok);
    });
}
