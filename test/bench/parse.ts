import { openDatabase } from '../../src/db';
import { throwAwayPostgres } from './postgres';
import { accuracy, judgePrevious, loadCorpus, share, startCorpusBot, type Outcome } from './parse-corpus';

/**
 * Parsing accuracy on the staff-message corpus (test/fixtures/parse-corpus.tsv), every message
 * through the encrypted callback of a whole bot with no language model configured, beside the
 * previous release's parser on the same messages in the same run.
 *
 *   npm run bench:parse
 *   BENCH_TARGET=postgres npm run bench:parse   # on a throw-away database of BENCH_DATABASE_URL's server
 *   BENCH_SHOW_MISSES=1 npm run bench:parse   # every message judged wrong, with what happened
 */
async function main() {
  const onPostgres = process.env.BENCH_TARGET === 'postgres';
  const server = onPostgres ? await throwAwayPostgres() : null;
  if (onPostgres && !server) process.exit(1);
  const database = await openDatabase(server ? { kind: 'postgres', url: server.url } : { kind: 'pglite', dataDir: null });
  await database.migrate();
  const entries = loadCorpus();
  const bot = await startCorpusBot({ database });
  const started = Date.now();
  const current = await bot.run(entries);
  const seconds = (Date.now() - started) / 1000;
  const previous = await judgePrevious(entries, bot.h.app.db);
  await bot.stop();
  await database.close();
  await server?.drop();

  const nothing = entries.filter((e) => e.expected.kind === 'nothing').length;
  console.log(
    `corpus: ${entries.length} messages (${entries.length - nothing} valid, ${nothing} to book nothing), through the callback in ${seconds.toFixed(1)} s on ${server ? 'PostgreSQL' : 'PGlite'}\n`,
  );
  const handover = (o: Outcome) => o.entry.user === 'ho';
  const rows: [string, Outcome[], Outcome[]][] = [
    ['stock messages', current.filter((o) => !handover(o)), previous],
    ['handover answers', current.filter(handover), []],
    ['all', current, previous],
  ];
  const cell = (outcomes: Outcome[], side: 'valid' | 'invalid') => {
    const tally = accuracy(outcomes)[side];
    return tally.total === 0 ? '—' : `${(share(tally) * 100).toFixed(1)}% (${tally.right}/${tally.total})`;
  };
  console.table(
    Object.fromEntries(
      rows.map(([name, now, before]) => [
        name,
        {
          'valid booked right': cell(now, 'valid'),
          'invalid refused': cell(now, 'invalid'),
          'previous release: valid': before.length ? cell(before, 'valid') : '— (not parsed then)',
          'previous release: invalid': before.length ? cell(before, 'invalid') : '—',
        },
      ]),
    ),
  );
  const { valid, invalid } = accuracy(current);
  console.log(`target ≥ 98% on both: ${share(valid) >= 0.98 && share(invalid) >= 0.98 ? 'met' : 'NOT met'}`);
  const misses = current.filter((o) => !o.ok);
  if (misses.length) {
    console.log(`\n${misses.length} judged wrong${process.env.BENCH_SHOW_MISSES ? '' : ' (BENCH_SHOW_MISSES=1 lists them)'}`);
    if (process.env.BENCH_SHOW_MISSES) for (const o of misses) console.log(`  line ${o.entry.at} ${o.entry.user} 「${o.entry.text}」 expected ${JSON.stringify(o.entry.expected)}\n    ${o.got}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
