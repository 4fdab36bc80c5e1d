/**
 * `npm run bench:compare -- <variant> <variant>… [--json] [--rounds N] [--seconds S]`: a
 * few variants side by side, in alternating order, round after round, printing the
 * median server CPU per response and each one's ratio to the first. For checking one
 * change against its floor in a minute or two, between full `npm run bench` runs.
 */
import { HTML_ROUTE, JSON_ROUTE } from './routes.js';
import { killAllServers, startServer, type ServerProcess } from './server-process.js';
import { median } from './stats.js';
import { load } from './throughput.js';
import { variant } from './variants.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(args.splice(at, 2)[1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} takes a positive number`);
  return value;
};
const rounds = option('--rounds', 5);
const seconds = option('--seconds', 3);
const route = args.includes('--json') ? JSON_ROUTE : HTML_ROUTE;
const names = args.filter((arg) => arg !== '--json').map((name) => variant(name).name);
if (names.length === 0) throw new Error('Name at least one variant, e.g. early-flush floor-flush');

const servers: ServerProcess[] = [];
try {
  for (const name of names) servers.push(await startServer(name));
  for (const server of servers) await load(server, route, { durationSec: 2, connections: 10 });
  const cpu = new Map<string, number[]>(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    const order = servers.map((_, i) => servers[(i + round) % servers.length]);
    for (const server of order) {
      const sample = await load(server, route, { durationSec: seconds, connections: 10 });
      cpu.get(server.variant)!.push(sample.cpuMicrosPerResponse);
    }
  }
  const first = median(cpu.get(names[0])!);
  for (const name of names) {
    const value = median(cpu.get(name)!);
    const all = cpu
      .get(name)!
      .map((micros) => micros.toFixed(0))
      .join(' ');
    console.log(
      `${name.padEnd(18)} ${route.name}: ${value.toFixed(0)} µs CPU/response, ×${(value / first).toFixed(2)}  (${all})`,
    );
  }
} finally {
  for (const server of servers) await server.stop();
  killAllServers();
}
