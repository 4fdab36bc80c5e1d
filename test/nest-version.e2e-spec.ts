import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

// `npm run test:nest11` runs this whole suite against NestJS 11 (compat/nest11); this
// checks that the @nestjs packages the other tests import are the ones meant.
const require = createRequire(import.meta.url);
const expectedMajor = process.env.NEST_MAJOR ?? '12';

describe('the NestJS under test', () => {
  it.each(['common', 'core', 'platform-express', 'testing'])(`@nestjs/%s is major ${expectedMajor}`, (name) => {
    // Through the entry point: not every @nestjs package exports its package.json.
    const entry = require.resolve(`@nestjs/${name}`);
    const { version } = JSON.parse(readFileSync(join(dirname(entry), 'package.json'), 'utf8')) as { version: string };
    expect(version.split('.')[0]).toBe(expectedMajor);
  });
});
