import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from browser/ under ts-jest and from browser/dist/ once compiled. */
export const REPO_DIR = findRepoDir(dirname(fileURLToPath(import.meta.url)));

function findRepoDir(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'sample', 'views')) && existsSync(join(dir, 'package.json'))) return dir;
  }
  throw new Error(`No repository with sample/views above ${from}`);
}
