import fs from 'node:fs';
import path from 'node:path';

/**
 * Code imports one way: within a feature's folder from the handlers (commands, cards, sync) down
 * to the rules, and between features from the one that uses another to that one's index.ts
 * (handover → work orders → tasks), never back. A loop means a file or a feature cannot be read,
 * tested or moved without the others; this walks the relative imports (type imports included, as
 * they tie files together just the same) and names any loop it finds.
 */
const FEATURES = path.join(__dirname, '../../src/features');
const features = fs.readdirSync(FEATURES).filter((f) => fs.statSync(path.join(FEATURES, f)).isDirectory());

function specifiersOf(file: string): string[] {
  const source = fs.readFileSync(file, 'utf8');
  return [...source.matchAll(/^(?:import|export)\b[^;]*?from\s+'(\.\.?\/[^']+)'/gms)].map((m) => m[1]);
}

/** The files of a feature's folder that `file` (in it) imports. */
function importsOf(feature: string, file: string): string[] {
  const folder = path.join(FEATURES, feature);
  const own = specifiersOf(path.join(folder, file)).filter((s) => s.startsWith('./'));
  return own.map((s) => `${s.slice(2)}.ts`).filter((f) => fs.existsSync(path.join(folder, f)));
}

/** The other features a feature's files import. */
function featuresUsedBy(feature: string): string[] {
  const folder = path.join(FEATURES, feature);
  const used = fs
    .readdirSync(folder)
    .filter((f) => f.endsWith('.ts'))
    .flatMap((f) => specifiersOf(path.join(folder, f)))
    .map((s) => /^\.\.\/([a-z]+)(\/|$)/.exec(s)?.[1])
    .filter((name): name is string => !!name && name !== feature && features.includes(name));
  return [...new Set(used)];
}

function loopsIn(graph: Map<string, string[]>): string[] {
  const loops: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (node: string, trail: string[]) => {
    if (state.get(node) === 'done') return;
    if (state.get(node) === 'open') {
      loops.push([...trail.slice(trail.indexOf(node)), node].join(' → '));
      return;
    }
    state.set(node, 'open');
    for (const next of graph.get(node) ?? []) visit(next, [...trail, node]);
    state.set(node, 'done');
  };
  for (const node of graph.keys()) visit(node, []);
  return loops;
}

it.each(features)('has no import loop among the files of %s', (feature) => {
  const files = fs.readdirSync(path.join(FEATURES, feature)).filter((f) => f.endsWith('.ts'));
  expect(loopsIn(new Map(files.map((f) => [f, importsOf(feature, f)])))).toEqual([]);
});

it('has no import loop between features', () => {
  expect(loopsIn(new Map(features.map((f) => [f, featuresUsedBy(f)])))).toEqual([]);
});

it('finds imports of every form the folders use', () => {
  expect(importsOf('stock', 'booking.ts')).toEqual(expect.arrayContaining(['after-move.ts', 'ledger.ts']));
  expect(importsOf('stock', 'index.ts').length).toBeGreaterThan(5);
  expect(featuresUsedBy('handover')).toEqual(expect.arrayContaining(['workorders', 'tasks', 'masterdata']));
  expect(
    loopsIn(
      new Map([
        ['a.ts', ['b.ts']],
        ['b.ts', ['a.ts']],
      ]),
    ),
  ).toEqual(['a.ts → b.ts → a.ts']);
});
