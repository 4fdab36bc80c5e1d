// Copies the README's marked code blocks into the consumer apps, so that the apps build,
// lint and test the very code a reader copies (they keep no copies of their own).
// A marker is an HTML comment right before a fenced block, invisible on the rendered page:
//
//   <!-- snippet: src/main.ts → nest12-esm nest12-express-handlebars | cjs: nest11-cjs -->
//
// Apps after `|  cjs:` get the block as the README tells a CommonJS app to change it:
// relative imports without `.js`, `__dirname` for `import.meta.dirname`.
// Usage: node snippets.mjs <README.md> <apps-dir> [app...]   (only the apps named, if any)
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

const MARKER = /^<!-- snippet: (\S+) → ([^|]*?)(?: \| cjs: (.*?))? -->$/;

/** What the README says a CommonJS app writes instead of the ESM block. */
export function asCommonJs(code) {
  return code.replace(/(from '\.{1,2}\/[^']*?)\.js'/g, "$1'").replaceAll('import.meta.dirname', '__dirname');
}

/** Every marked block of a README: { path, esm: [apps], cjs: [apps], code, line }. */
export function markedSnippets(readme) {
  const lines = readme.split('\n');
  const snippets = [];
  for (let i = 0; i < lines.length; i++) {
    const match = MARKER.exec(lines[i].trim());
    if (!match) continue;
    const open = i + 1;
    if (!/^```\w*$/.test(lines[open] ?? ''))
      throw new Error(`README line ${i + 1}: a snippet marker must be followed by a code block`);
    const close = lines.findIndex((line, index) => index > open && line === '```');
    if (close < 0) throw new Error(`README line ${open + 1}: unterminated code block`);
    const apps = (list) => (list ?? '').split(/\s+/).filter(Boolean);
    snippets.push({
      path: match[1],
      esm: apps(match[2]),
      cjs: apps(match[3]),
      code: lines.slice(open + 1, close).join('\n') + '\n',
      line: i + 1,
    });
  }
  return snippets;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [readmePath, appsDir, ...only] = process.argv.slice(2);
  const snippets = markedSnippets(readFileSync(readmePath, 'utf8'));
  let written = 0;
  for (const snippet of snippets) {
    for (const [apps, transform] of [
      [snippet.esm, (code) => code],
      [snippet.cjs, asCommonJs],
    ]) {
      for (const app of apps) {
        if (!existsSync(join(import.meta.dirname, app))) throw new Error(`README line ${snippet.line}: no consumer app "${app}"`);
        if (only.length > 0 && !only.includes(app)) continue;
        const target = join(appsDir, app, snippet.path);
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, transform(snippet.code));
        written += 1;
        console.log(`README line ${snippet.line} → ${app}/${snippet.path}`);
      }
    }
  }
  if (written === 0) throw new Error('no README snippet was copied');
}
