import fs from 'node:fs';
import path from 'node:path';

/** The project root (where package.json is), whether we run from src/ (tsx, jest) or dist/src/ (built). */
export const PROJECT_ROOT = (() => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
})();
