import { accuracy, loadCorpus, share, startCorpusBot, type CorpusBot } from '../../bench/parse-corpus';
import { openTestDatabase } from '../../helpers/database';

/**
 * The corpus of real-looking staff messages (test/fixtures/parse-corpus.tsv: receipts, waste,
 * returns, transfers, counts, queries, handover answers, and messages that must book nothing),
 * each sent through the encrypted callback: issue 14 asks for ≥ 98% on both sides with no model
 * configured. `npm run bench:parse` prints the same figures beside the previous release's parser.
 */
// Some 500 messages through the whole bot, a few on a slow shared machine.
jest.setTimeout(600_000);
const entries = loadCorpus();
let bot: CorpusBot;
beforeAll(async () => {
  bot = await startCorpusBot({ database: await openTestDatabase() });
});
afterAll(async () => {
  await bot.stop();
  await bot.h.database.close();
});

it('holds at least 400 messages, 80 of them to book nothing, of every kind', () => {
  expect(entries.length).toBeGreaterThanOrEqual(400);
  expect(entries.filter((e) => e.expected.kind === 'nothing').length).toBeGreaterThanOrEqual(80);
  const kinds = new Set(entries.flatMap((e) => (e.expected.lines.length ? e.expected.lines.map((l) => l[0]) : [e.expected.kind])));
  expect([...kinds].sort()).toEqual(['count', 'handover', 'nothing', 'query', 'receipt', 'return', 'transfer_out', 'waste']);
});

it('books ≥ 98% of the valid messages exactly right and refuses ≥ 98% of the invalid ones with nothing booked', async () => {
  const outcomes = await bot.run(entries);
  const { valid, invalid } = accuracy(outcomes);
  const wrong = outcomes.filter((o) => !o.ok).map((o) => `line ${o.entry.at} ${o.entry.user} 「${o.entry.text}」 expected ${JSON.stringify(o.entry.expected)}: ${o.got}`);
  // The list of misses is the message when it fails: what to fix, or what to reconsider in the corpus.
  expect({ valid: share(valid) >= 0.98, invalid: share(invalid) >= 0.98, wrong }).toEqual({ valid: true, invalid: true, wrong: expect.any(Array) });
});
