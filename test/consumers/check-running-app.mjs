// Starts a consumer app's build (`node dist/main.js`) on an ephemeral loopback port,
// requests its page twice and checks the Link header goes late, then early. Writes a
// Jest-shaped summary ({ numPassedTests, numFailedTests }) that .ci/run adds up.
// Usage: node check-running-app.mjs <app-dir> <results.json>
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, get as httpGet } from 'node:http';
import { connect } from 'node:net';

const [appDir, resultsFile] = process.argv.slice(2);
const results = [];

function check(name, condition, detail) {
  results.push({ name, passed: Boolean(condition) });
  console.log(`${condition ? 'PASS' : 'FAIL'} ${name}${condition ? '' : `: ${detail}`}`);
}

// A free loopback port for the app's PORT: the README's main.ts listens on process.env.PORT.
const port = await new Promise((resolve, reject) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port } = probe.address();
    probe.close(() => resolve(port));
  });
  probe.on('error', reject);
});
const baseUrl = `http://127.0.0.1:${port}`;

let output = '';
const child = spawn(process.execPath, ['dist/main.js'], {
  cwd: appDir,
  env: { ...process.env, PORT: String(port) },
  stdio: ['ignore', 'pipe', 'pipe'],
});
child.stdout.on('data', (chunk) => (output += chunk));
child.stderr.on('data', (chunk) => (output += chunk));
const exited = new Promise((resolve) => child.on('exit', resolve));

/** Resolves once the app accepts connections; rejects if it exits first (Nest logs why). */
async function listening() {
  for (;;) {
    const up = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (up) return;
    const code = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('running'), 200))]);
    if (code !== 'running') throw new Error(`the app exited with ${code}; output: ${output}`);
  }
}

try {
  await listening();
  // node:http as curl or a browser's navigation would ask; fetch() says Sec-Fetch-Mode: cors,
  // which (rightly) never gets hints early.
  const get = (path = '/') =>
    new Promise((resolve, reject) => {
      httpGet(`${baseUrl}${path}`, { headers: { accept: 'text/html' } }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode, mode: response.headers['x-http2-preload'], link: response.headers.link, body }),
        );
      }).on('error', reject);
    });
  const first = await get();
  check('first request: 200 with the page', first.status === 200 && first.body.includes('Hello World!'), `${first.status} ${first.body.slice(0, 200)}`);
  check('first request: Link late', first.mode === 'late' && first.link?.includes('</static/css/app.css>; rel=preload; as=style'), `${first.mode} ${first.link}`);
  const second = await get();
  check('second request: the same Link early', second.mode === 'early' && second.link === first.link, `${second.mode} ${second.link}`);
  const css = await get('/static/css/app.css');
  check('the hinted stylesheet is served', css.status === 200, String(css.status));
} catch (error) {
  check('the app starts and answers', false, error instanceof Error ? error.message : String(error));
} finally {
  child.kill('SIGTERM');
  await exited;
}
if (results.some((result) => !result.passed)) console.log(output);

const numFailedTests = results.filter((result) => !result.passed).length;
writeFileSync(resultsFile, JSON.stringify({ numPassedTests: results.length - numFailedTests, numFailedTests, testResults: results }, null, 2));
process.exitCode = numFailedTests > 0 ? 1 : 0;
