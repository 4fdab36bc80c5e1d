import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_OPTIONS } from './http2-preload-options.defaults.js';

const read = (path: string) => readFileSync(fileURLToPath(new URL(path, import.meta.url)), 'utf8');

/** How the docs write a default: `'/static/'`, `true`, `1000`, `[]`; undefined for one told in words. */
function literal(value: unknown): string | undefined {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  if (Array.isArray(value) && value.length === 0) return '[]';
  return undefined;
}

const stated = Object.entries(DEFAULT_OPTIONS).flatMap(([name, value]) => {
  const text = literal(value);
  return text === undefined ? [] : [[name, text] as const];
});

// The defaults are written three times, for three readers; these keep them one.
describe('the defaults of the options', () => {
  it('are told by a literal for every option but version and nonce', () => {
    expect(stated.map(([name]) => name).sort()).toEqual(
      Object.keys(DEFAULT_OPTIONS)
        .filter((name) => name !== 'version' && name !== 'nonce')
        .sort(),
    );
  });

  const docs = new Map(
    [...read('./http2-preload-options.interface.ts').matchAll(/@default (.+)\n\s*\*\/\n\s*(\w+)\?:/g)].map(
      ([, value, name]) => [name, value],
    ),
  );
  it.each(stated)('%s: the @default of its field is %s', (name, text) => {
    expect(docs.get(name)).toBe(text);
  });

  const readme = read('../README.md');
  it.each(stated)('%s: the README options table says %s', (name, text) => {
    expect(readme).toContain(`| \`${name}\` | \`${text}\` |`);
  });
});
