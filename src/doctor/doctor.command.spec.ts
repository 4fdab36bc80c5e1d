import { parseDoctorArgs, runDoctor } from './doctor.command.js';

describe('parseDoctorArgs', () => {
  test('a URL and the options', () => {
    expect(
      parseDoctorArgs(['https://example.com/shop', '--json', '--insecure', '--timeout', '2000', '--ca', 'ca.pem']),
    ).toEqual({
      args: { url: 'https://example.com/shop', json: true, insecure: true, caFile: 'ca.pem', timeoutMs: 2000 },
    });
    expect(parseDoctorArgs(['http://localhost:3000', '--debug-header', 'X-Preload-Debug'])).toMatchObject({
      args: { debugHeader: 'x-preload-debug' },
    });
    expect(parseDoctorArgs(['http://localhost:3000'])).toEqual({
      args: { url: 'http://localhost:3000/', json: false, insecure: false, caFile: undefined, timeoutMs: 15000 },
    });
  });

  test.each([
    [[], /give the URL/],
    [['localhost:3000/x'], /only http:\/\/ and https:\/\//],
    [['not a url'], /not a URL/],
    [['https://a.test', 'https://b.test'], /one URL only/],
    [['https://a.test', '--timeout', 'soon'], /--timeout must be/],
    [['https://a.test', '--ca'], /--ca needs a value/],
    [['https://a.test', '--verbose'], /unknown option --verbose/],
    [['https://a.test', '--debug-header', 'x debug'], /--debug-header must be a header name/],
  ])('%j is refused with a message', (argv, message) => {
    const parsed = parseDoctorArgs(argv);
    expect('error' in parsed && parsed.error).toMatch(message);
  });
});

test('runDoctor: usage errors and an unreadable --ca exit with 2, before any request', async () => {
  const err: string[] = [];
  const out = { stdout: () => undefined, stderr: (text: string) => void err.push(text) };
  expect(await runDoctor(['ftp://x.test'], out)).toBe(2);
  expect(await runDoctor(['https://x.test', '--ca', '/nonexistent/ca.pem'], out)).toBe(2);
  expect(err.join('')).toMatch(/cannot read --ca \/nonexistent\/ca\.pem/);
});
