import fs from 'node:fs';
import cliProgress from 'cli-progress';
import type { App } from '../../app';
import { defineCampaigns } from './campaigns';
import { importFile } from './import';
import { recomputeMembers } from './jobs';
import { campaignResults, reportMarkdown } from './results';
import { loadTagRules, saveTagRules } from './tag-rules';

export const MEMBERS_USAGE = `  import members|orders <file.csv>
                       stream a POS export of any size (read once, checked whole, then written in chunks)
  members recompute    recompute every profile, the RFM quintiles and every tag now
  member-tags list     print the tag rules in force (JSON)
  member-tags set <file.json>
                       replace the tag rules (validated as a whole)
  campaigns list       list campaigns with their audience and status counts
  campaigns set <file.json>
                       create or replace campaigns (one object or an array)
  campaigns results <id>
                       a campaign's results (sent, delivered, redeemed, uplift, ROI)`;

type WithApp = (fn: (app: App) => Promise<number>) => Promise<number>;

/** The members' admin commands; each opens the app (config, database), does one thing and says what it did. */
export async function membersAdmin(command: string, args: string[], withApp: WithApp): Promise<number> {
  const [sub, arg] = args;
  return withApp(async (app) => {
    const db = app.db;
    const now = () => new Date();
    if (command === 'import') {
      if (!arg || !fs.existsSync(arg)) {
        console.error(`no such file: ${arg ?? ''}`);
        return 2;
      }
      const kind = sub as 'members' | 'orders';
      const bar = new cliProgress.SingleBar(
        { format: `${kind} {phase} |{bar}| {percentage}% · {rows} rows · {eta_formatted} left`, hideCursor: true, etaBuffer: 50 },
        cliProgress.Presets.shades_classic,
      );
      bar.start(1, 0, { phase: 'check', rows: 0 });
      const outcome = await importFile(db, kind, arg, {
        pepper: app.config.members.phonePepper,
        now,
        onProgress: (p) => {
          bar.setTotal(p.totalBytes * 2);
          bar.update(p.phase === 'check' ? p.bytes : p.totalBytes + p.bytes, { phase: p.phase === 'check' ? '检查' : '写入', rows: p.rows });
        },
      });
      bar.stop();
      if (!outcome.ok) {
        for (const p of outcome.problems) console.error(`${arg}:${p.line}: ${p.message}`);
        if (outcome.problemCount > outcome.problems.length) console.error(`… and ${outcome.problemCount - outcome.problems.length} more`);
        console.error(`${outcome.problemCount} problem(s); nothing was imported`);
        return 1;
      }
      console.log(`${kind}: ${outcome.rows} row(s), ${outcome.created} new, ${outcome.updated} updated, in ${outcome.seconds.toFixed(1)} s`);
      return 0;
    }
    if (command === 'members' && sub === 'recompute') {
      const result = await recomputeMembers({ db, clock: { now }, log: app.log });
      console.log(`${result.profiles} profile(s); tags: ${result.added} added, ${result.removed} removed`);
      return 0;
    }
    if (command === 'member-tags' && sub === 'list') {
      console.log(JSON.stringify(await loadTagRules(db), null, 2));
      return 0;
    }
    if (command === 'member-tags' && sub === 'set' && arg) {
      const outcome = await saveTagRules(db, readJson(arg), now());
      if (!outcome.ok) return reportProblems(arg, outcome.problems);
      console.log(`${outcome.rules.length} tag rule(s) saved; the nightly recompute (or: members recompute) applies them`);
      return 0;
    }
    if (command === 'campaigns' && sub === 'list') {
      const campaigns = await db.campaign.findMany({ orderBy: [{ priority: 'desc' }, { id: 'asc' }] });
      const counts = await db.campaignMember.groupBy({ by: ['campaignId', 'status'], _count: true });
      for (const c of campaigns) {
        const mine = counts.filter((x) => x.campaignId === c.id).map((x) => `${x.status} ${x._count}`);
        console.log(`${c.id.padEnd(24)} ${c.status.padEnd(7)} priority ${String(c.priority).padEnd(4)} ${c.name}  ${mine.join(', ') || 'not built yet'}`);
      }
      return 0;
    }
    if (command === 'campaigns' && sub === 'set' && arg) {
      const outcome = await defineCampaigns(db, readJson(arg), now(), app.config.members);
      if (!outcome.ok) return reportProblems(arg, outcome.problems);
      console.log(`campaign(s) saved: ${outcome.ids.join(', ')}`);
      return 0;
    }
    if (command === 'campaigns' && sub === 'results' && arg) {
      const results = await campaignResults(db, arg);
      if (!results) {
        console.error(`no campaign ${arg}`);
        return 1;
      }
      console.log(reportMarkdown(results, app.config.timezone));
      console.log(JSON.stringify(results, null, 2));
      return 0;
    }
    console.error(MEMBERS_USAGE);
    return 2;
  });
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function reportProblems(file: string, problems: { line: number; message: string }[]): number {
  for (const p of problems) console.error(`${file}:${p.line}: ${p.message}`);
  console.error(`${problems.length} problem(s); nothing was saved`);
  return 1;
}
