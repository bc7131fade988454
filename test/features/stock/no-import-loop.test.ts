import fs from 'node:fs';
import path from 'node:path';

/**
 * The stock files import each other one way: from the handlers (commands, cards, sync) down
 * through booking to the ledger and the rules. A loop means a file cannot be read, tested or
 * moved without the others; this walks the folder's relative imports (type imports included, as
 * they tie files together just the same) and names any loop it finds.
 */
const FOLDER = path.join(__dirname, '../../../src/features/stock');

function importsOf(file: string): string[] {
  const source = fs.readFileSync(path.join(FOLDER, file), 'utf8');
  const specifiers = [...source.matchAll(/^(?:import|export)\b[^;]*?from\s+'(\.\/[^']+)'/gms)].map((m) => m[1]);
  return specifiers.map((s) => `${s.slice(2)}.ts`).filter((f) => fs.existsSync(path.join(FOLDER, f)));
}

it('has no import loop among the stock files', () => {
  const files = fs.readdirSync(FOLDER).filter((f) => f.endsWith('.ts'));
  const graph = new Map(files.map((f) => [f, importsOf(f)]));
  const loops: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (file: string, trail: string[]) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      loops.push([...trail.slice(trail.indexOf(file)), file].join(' → '));
      return;
    }
    state.set(file, 'open');
    for (const next of graph.get(file) ?? []) visit(next, [...trail, file]);
    state.set(file, 'done');
  };
  for (const file of files) visit(file, []);
  expect(loops).toEqual([]);
});

it('finds imports of every form the folder uses', () => {
  expect(importsOf('booking.ts')).toEqual(expect.arrayContaining(['after-move.ts', 'ledger.ts']));
  expect(importsOf('index.ts').length).toBeGreaterThan(5);
});
