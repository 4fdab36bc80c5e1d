// Starts a consumer app's build (`node dist/main.js`) on an ephemeral loopback port,
// requests its page twice and checks the Link header goes late, then early. Writes a
// Jest-shaped summary ({ numPassedTests, numFailedTests }) that .ci/run adds up.
// Usage: node check-running-app.mjs <app-dir> <results.json>
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';

const [appDir, resultsFile] = process.argv.slice(2);
const results = [];

function check(name, condition, detail) {
  results.push({ name, passed: Boolean(condition) });
  console.log(`${condition ? 'PASS' : 'FAIL'} ${name}${condition ? '' : `: ${detail}`}`);
}

const child = spawn(process.execPath, ['dist/main.js'], {
  cwd: appDir,
  env: { ...process.env, PORT: '0' },
  stdio: ['ignore', 'pipe', 'inherit'],
});

try {
  const baseUrl = await new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`no "Listening on" within 20 s; output: ${output}`)), 20_000);
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /Listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1].replace('[::1]', '127.0.0.1'));
      }
    });
    child.on('exit', (code) => reject(new Error(`the app exited with ${code}; output: ${output}`)));
  });
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
  check('first request: 200 with the page', first.status === 200 && first.body.includes('Hello World!'), JSON.stringify(first.status));
  check('first request: Link late', first.mode === 'late' && first.link?.includes('</static/css/app.css>; rel=preload; as=style'), `${first.mode} ${first.link}`);
  const second = await get();
  check('second request: the same Link early', second.mode === 'early' && second.link === first.link, `${second.mode} ${second.link}`);
  const css = await get('/static/css/app.css');
  check('the hinted stylesheet is served', css.status === 200, String(css.status));
} catch (error) {
  check('the app starts and answers', false, error instanceof Error ? error.message : String(error));
} finally {
  child.kill('SIGTERM');
}

const numFailedTests = results.filter((result) => !result.passed).length;
writeFileSync(resultsFile, JSON.stringify({ numPassedTests: results.length - numFailedTests, numFailedTests, testResults: results }, null, 2));
process.exitCode = numFailedTests > 0 ? 1 : 0;
