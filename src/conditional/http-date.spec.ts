import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseHttpDate, rfc850Year } from './http-date.js';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const time = (d: Date) => `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;

/** The three formats as RFC 9110 §5.6.7 writes them, formatted independently of the parser. */
const imfFixdate = (d: Date) =>
  `${DAYS[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCFullYear(), 4)} ${time(d)} GMT`;
const rfc850 = (d: Date) =>
  `${LONG_DAYS[d.getUTCDay()]}, ${pad(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${pad(d.getUTCFullYear() % 100)} ${time(d)} GMT`;
const asctime = (d: Date) =>
  `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${time(d)} ${pad(d.getUTCFullYear(), 4)}`;

/**
 * The grammar of §5.6.7 written out again, as a reference the parser must never accept
 * more than (names case-sensitive, fixed widths), field values not range-checked.
 */
const D = '[0-9]';
const REFERENCE = new RegExp(
  [
    `^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), ${D}{2} (${MONTHS.join('|')}) ${D}{4} ${D}{2}:${D}{2}:${D}{2} GMT$`,
    `^(${LONG_DAYS.join('|')}), ${D}{2}-(${MONTHS.join('|')})-${D}{2} ${D}{2}:${D}{2}:${D}{2} GMT$`,
    `^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (${MONTHS.join('|')}) (${D}{2}| ${D}) ${D}{2}:${D}{2}:${D}{2} ${D}{4}$`,
  ].join('|'),
);

/** Whole seconds from year 0000 to 9999, the years IMF-fixdate and asctime can write. */
const anyDate = fc
  .integer({ min: Date.parse('0000-01-01T00:00:00Z') / 1000, max: Date.parse('9999-12-31T23:59:59Z') / 1000 })
  .map((seconds) => new Date(seconds * 1000));

const NOW = Date.UTC(2026, 11, 3, 16, 0, 0);

describe('parseHttpDate (RFC 9110 §5.6.7)', () => {
  it('reads the three formats of the RFC example alike', () => {
    const expected = Date.UTC(1994, 10, 6, 8, 49, 37);
    expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT', NOW)).toBe(expected);
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT', NOW)).toBe(expected);
    expect(parseHttpDate('Sun Nov  6 08:49:37 1994', NOW)).toBe(expected);
  });

  it.each([
    '2099-12-31',
    '3000',
    '12/31/2099',
    'Tue, 31 Dec 2099',
    '2099-12-31T00:00:00Z',
    'Thu, 31 Dec 2099 00:00:00 UTC',
    'Thu, 31 Dec 2099 00:00:00 +0000',
    'thu, 31 dec 2099 00:00:00 gmt',
    'Thu, 31 Dec 2099 00:00:00 GMT ',
    'Thu,  31 Dec 2099 00:00:00 GMT',
    'Thu, 1 Dec 2099 00:00:00 GMT',
    'Thu, 31 Dec 99 00:00:00 GMT',
    'Thu, 31 Dec 2099 0:00:00 GMT',
    'Thursday, 31 Dec 2099 00:00:00 GMT',
    'Thu, 31-Dec-99 00:00:00 GMT',
    'Thu Dec 31 00:00:00 2099 GMT',
    'Thu Dec 31 00:00:00 99',
    'Wed, 31 Apr 2099 00:00:00 GMT',
    'Tue, 29 Feb 2100 00:00:00 GMT',
    'Thu, 31 Dec 2099 24:00:00 GMT',
    'Thu, 31 Dec 2099 23:60:00 GMT',
    'Thu, 00 Dec 2099 00:00:00 GMT',
    '',
    'now',
  ])('ignores %j, which is not an HTTP-date', (value) => {
    expect(parseHttpDate(value, NOW)).toBeUndefined();
  });

  it('accepts a leap second and 29 February of a leap year', () => {
    expect(parseHttpDate('Sat, 31 Dec 2016 23:59:60 GMT', NOW)).toBe(Date.UTC(2016, 11, 31, 23, 59, 59));
    expect(parseHttpDate('Tue, 29 Feb 2000 12:00:00 GMT', NOW)).toBe(Date.UTC(2000, 1, 29, 12));
  });

  it('reads years below 100 as written, not as 19xx', () => {
    const year42 = new Date(0);
    year42.setUTCFullYear(42, 0, 1);
    expect(parseHttpDate('Thu, 01 Jan 0042 00:00:00 GMT', NOW)).toBe(year42.getTime());
  });

  it('round-trips every date written as IMF-fixdate (and as Date#toUTCString writes it)', () => {
    fc.assert(
      fc.property(anyDate, (date) => {
        expect(parseHttpDate(imfFixdate(date), NOW)).toBe(date.getTime());
        expect(parseHttpDate(date.toUTCString(), NOW)).toBe(date.getTime());
      }),
    );
  });

  it('round-trips every date written in asctime format', () => {
    fc.assert(fc.property(anyDate, (date) => expect(parseHttpDate(asctime(date), NOW)).toBe(date.getTime())));
  });

  it('round-trips every RFC 850 date within 50 years of now, its two-digit year placed by the 50-year rule', () => {
    const currentYear = new Date(NOW).getUTCFullYear();
    const window = anyDate.filter(
      (d) => d.getUTCFullYear() > currentYear - 50 && d.getUTCFullYear() <= currentYear + 50,
    );
    fc.assert(fc.property(window, (date) => expect(parseHttpDate(rfc850(date), NOW)).toBe(date.getTime())));
  });

  it('places a two-digit year at most 50 years ahead, in the most recent such year otherwise', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 1000, max: 9000 }), (yy, currentYear) => {
        const year = rfc850Year(yy, currentYear);
        expect(year % 100).toBe(yy);
        expect(year).toBeLessThanOrEqual(currentYear + 50);
        expect(year).toBeGreaterThan(currentYear + 50 - 100);
      }),
    );
    expect(rfc850Year(76, 2026)).toBe(2076);
    expect(rfc850Year(77, 2026)).toBe(1977);
  });

  it('ignores every string that is not of the three grammars', () => {
    const candidates = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      // Near misses: a valid date with one character changed, removed or added.
      fc
        .tuple(
          anyDate,
          fc.constantFrom(imfFixdate, rfc850, asctime),
          fc.nat(),
          fc.constantFrom('replace', 'remove', 'insert'),
          fc.string({ minLength: 1, maxLength: 1 }),
        )
        .map(([date, format, at, edit, char]) => {
          const text = format(date);
          const i = at % text.length;
          if (edit === 'remove') return text.slice(0, i) + text.slice(i + 1);
          if (edit === 'insert') return text.slice(0, i) + char + text.slice(i);
          return text.slice(0, i) + char + text.slice(i + 1);
        }),
    );
    fc.assert(
      fc.property(candidates, (value) => {
        if (!REFERENCE.test(value)) expect(parseHttpDate(value, NOW)).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
  });

  it('gives a whole second for every value it accepts, and ignores overlong values at once', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (value) => {
        const time = parseHttpDate(value, NOW);
        if (time !== undefined) expect(time % 1000).toBe(0);
      }),
    );
    expect(parseHttpDate(`Sun, 06 Nov 1994 08:49:37 GMT${' '.repeat(100_000)}`, NOW)).toBeUndefined();
  });
});

describe("the README's word on dates", () => {
  const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
  const line = readme.split('\n').find((text) => text.startsWith('- Dates are read only as HTTP-dates')) ?? '';
  const [accepted, rest] = line.split('Anything else (');
  const ignored = rest?.split(') is ignored')[0];
  const codes = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map((match) => match[1]);

  it('names the three formats, each read as the same moment', () => {
    const examples = codes(accepted);
    expect(examples).toHaveLength(3);
    for (const example of examples) expect(parseHttpDate(example, NOW)).toBe(Date.UTC(1994, 10, 6, 8, 49, 37));
  });

  it('names as ignored only values that are', () => {
    const examples = codes(ignored ?? '').filter((code) => code !== 'GMT');
    expect(examples).toEqual(['2099-12-31', '3000', '12/31/2099', 'Tue, 31 Dec 2099']);
    for (const example of examples) expect(parseHttpDate(example, NOW)).toBeUndefined();
  });
});
