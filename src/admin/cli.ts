import 'dotenv/config';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { importMasterData, KINDS, type Kind } from '../features/masterdata';
import { CHAIN_SCOPE, importChecklist } from '../features/handover';
import { MIGRATIONS_DIR } from '../db/migrate';
import { openDatabase, type Database } from '../db';
import { databaseTarget, describeTarget } from '../db/target';
import { createApp } from '../app';
import { BOT_FEATURES, configOrExit } from '../main';
import { membersAdmin, MEMBERS_USAGE } from '../features/members';
import { chainTimezone } from '../config';

const USAGE = `usage: npm run admin -- <command>

  import <kind> <file> import master data from CSV or JSON (kind: stores, staff, skus, sku-settings, shifts,
                       menu-items, recipes);
                       every bad row is reported with its line and nothing is written
${MEMBERS_USAGE}
  import checklist <file.json>
                       import a handover checklist template (with "store" for one store, else the
                       chain default); a changed template becomes the next version
  migrate              apply pending database migrations (npm start does this too)
  migration-status     list applied and pending migrations
  setup-menu           create the app menu in WeCom from the features' buttons
  outbox               count outbox messages by status and show the latest dead ones
  retry-dead [--id N]  put dead-lettered messages back in the queue (all, or one)
  run-job <name>       run a scheduled job once, now
  jobs                 list the scheduled jobs`;

/** The IT person's tool. Each command opens what it needs, does one thing, and says what it did. */
async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { id: { type: 'string' } } });
  const [command, ...rest] = positionals;
  switch (command) {
    case 'import': {
      const [kind, file] = rest;
      if (kind === 'members' || kind === 'orders') return membersAdmin(command, rest, withApp);
      if (kind === 'checklist' && file) {
        if (!fs.existsSync(file)) {
          console.error(`no such file: ${file}`);
          return 2;
        }
        return withDatabase(async (database) => {
          await database.migrate();
          const outcome = await importChecklist(database.prisma, fs.readFileSync(file, 'utf8'), new Date());
          if (!outcome.ok) {
            for (const p of outcome.problems) console.error(`${file}: ${p}`);
            console.error(`${outcome.problems.length} problem(s); nothing was imported`);
            return 1;
          }
          const scope = outcome.scope === CHAIN_SCOPE ? 'chain default' : `store ${outcome.scope}`;
          console.log(`checklist for ${scope}: ${outcome.items} item(s), ${outcome.created ? `new version ${outcome.version}` : `unchanged (version ${outcome.version})`}`);
          return 0;
        });
      }
      if (!kind || !(kind in KINDS) || !file) {
        console.error(`usage: npm run admin -- import <${Object.keys(KINDS).join('|')}> <file.csv|file.json>\n       npm run admin -- import checklist <file.json>`);
        return 2;
      }
      if (!fs.existsSync(file)) {
        console.error(`no such file: ${file}`);
        return 2;
      }
      return withDatabase(async (database) => {
        await database.migrate();
        const format = path.extname(file).toLowerCase() === '.json' ? 'json' : 'csv';
        const outcome = await importMasterData(database.prisma, kind as Kind, fs.readFileSync(file, 'utf8'), format, { timezone: chainTimezone() });
        if (!outcome.ok) {
          for (const p of outcome.problems) console.error(`${file}:${p.line}: ${p.message}`);
          console.error(`${outcome.problems.length} problem(s); nothing was imported`);
          return 1;
        }
        console.log(`${kind}: ${outcome.rows} row(s), ${outcome.created} new, ${outcome.updated} updated`);
        return 0;
      });
    }
    case 'migrate':
      return withDatabase(async (database) => {
        const applied = await database.migrate();
        console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
        return 0;
      });
    case 'migration-status':
      return withDatabase(async (database) => {
        const rows = await database.prisma.$queryRaw<{ migration_name: string; finished_at: Date }[]>`
          SELECT migration_name, finished_at FROM "_prisma_migrations" ORDER BY migration_name`.catch(() => []);
        for (const r of rows) console.log(`applied  ${r.migration_name}  ${r.finished_at.toISOString()}`);
        const known = new Set(rows.map((r) => r.migration_name));
        for (const name of fs
          .readdirSync(MIGRATIONS_DIR)
          .filter((n) => !n.endsWith('.toml'))
          .sort()) {
          if (!known.has(name)) console.log(`pending  ${name}`);
        }
        return 0;
      });
    case 'setup-menu':
      return withApp(async (app) => {
        if (app.bot.menu.length === 0) {
          console.error('no feature registered a menu button');
          return 1;
        }
        await app.wecom.createMenu({ button: app.bot.menu });
        console.log(`menu created for agent ${app.config.wecom.agentId}: ${app.bot.menu.map((b) => b.name).join(' | ')}`);
        return 0;
      });
    case 'outbox':
      return withDatabase(async ({ prisma }) => {
        const counts = await prisma.outboxMessage.groupBy({ by: ['status'], _count: true });
        for (const c of counts) console.log(`${c.status.padEnd(8)} ${c._count}`);
        const dead = await prisma.outboxMessage.findMany({ where: { status: 'dead' }, orderBy: { id: 'desc' }, take: 20 });
        for (const d of dead) console.log(`dead #${d.id} to ${d.recipient} after ${d.attempts} attempts: ${d.lastError}`);
        return 0;
      });
    case 'retry-dead':
      return withDatabase(async ({ prisma }) => {
        const where = values.id ? { status: 'dead', id: BigInt(values.id) } : { status: 'dead' };
        const { count } = await prisma.outboxMessage.updateMany({ where, data: { status: 'pending', attempts: 0, nextAttemptAt: new Date(), lastError: null } });
        console.log(`${count} message(s) queued again; the running bot sends them`);
        return 0;
      });
    case 'jobs':
      return withApp(async (app) => {
        for (const job of app.bot.jobs) console.log(`${job.name.padEnd(32)} ${job.schedule}  (${app.config.timezone})`);
        return 0;
      });
    case 'run-job':
      return withApp(async (app) => {
        const job = app.bot.jobs.find((j) => j.name === rest[0]);
        if (!job) {
          console.error(`no job named "${rest[0] ?? ''}"; see: npm run admin -- jobs`);
          return 1;
        }
        await app.scheduler.runJob(job, new Date());
        await app.sender.drainOnce();
        console.log(`ran ${job.name}`);
        return 0;
      });
    case 'member-tags':
    case 'campaigns':
    case 'members':
      return membersAdmin(command, rest, withApp);
    default:
      console.error(command ? `unknown command "${command}"\n\n${USAGE}` : USAGE);
      return command ? 2 : 0;
  }
}

async function withDatabase(fn: (database: Database) => Promise<number>): Promise<number> {
  const target = databaseTarget(process.env.DATABASE_URL);
  console.log(`database: ${describeTarget(target)}`);
  const database = await openDatabase(target);
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}

async function withApp(fn: (app: Awaited<ReturnType<typeof createApp>>) => Promise<number>): Promise<number> {
  const config = configOrExit();
  const database = await openDatabase(config.database);
  await database.migrate();
  const app = await createApp({ config, database, features: BOT_FEATURES });
  try {
    return await fn(app);
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
