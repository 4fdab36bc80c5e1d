/**
 * HTTP-dates, parsed as strictly as RFC 9110 §5.6.7 writes them. `If-Modified-Since`
 * and `If-Unmodified-Since` must be ignored when their value is not a valid HTTP-date
 * (§13.1.3, §13.1.4), and `Date.parse()` takes almost anything (`2099-12-31`, `3000`,
 * `12/31/2099`, `Tue, 31 Dec 2099`): a client could turn every page into a `304`, or
 * every `GET` into a `412`, with a value no HTTP implementation sends.
 *
 * Accepted, as §5.6.7 requires of recipients: the IMF-fixdate every sender uses
 * (`Sun, 06 Nov 1994 08:49:37 GMT`) and the two obsolete formats, RFC 850
 * (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`).
 * Names are case-sensitive (`%s"Mon"`, `%s"GMT"`), fields have their fixed widths, and
 * the date must exist (no 31 April). The day name is not checked against the date:
 * the grammar does not tie them, and neither do other servers (Django, nginx).
 */

const DAY_NAMES = 'Mon|Tue|Wed|Thu|Fri|Sat|Sun';
const LONG_DAY_NAMES = 'Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const MONTH = MONTHS.join('|');
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';

// Anchored, fixed-width alternatives only: no backtracking on a hostile header value.
const IMF_FIXDATE = new RegExp(`^(?:${DAY_NAMES}), (\\d{2}) (${MONTH}) (\\d{4}) ${TIME} GMT$`);
const RFC850_DATE = new RegExp(`^(?:${LONG_DAY_NAMES}), (\\d{2})-(${MONTH})-(\\d{2}) ${TIME} GMT$`);
const ASCTIME_DATE = new RegExp(`^(?:${DAY_NAMES}) (${MONTH}) (\\d{2}| \\d) ${TIME} (\\d{4})$`);

/** Longer than any HTTP-date (29 characters for IMF-fixdate, 30 for a Wednesday in RFC 850): not looked at. */
const LONGEST_HTTP_DATE = 40;

interface DateFields {
  readonly year: number;
  /** 0 for January. */
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

function monthIndex(name: string): number {
  return MONTHS.indexOf(name as (typeof MONTHS)[number]);
}

/**
 * RFC 9110 §5.6.7: an RFC 850 two-digit year that appears to be more than 50 years in
 * the future means the most recent past year with the same last two digits. So the
 * year is the one with those digits in the hundred years up to 50 years from now (in
 * 2026: 1977 to 2076), which also reads `10` as 2110 rather than 2010 once it is 2080.
 */
export function rfc850Year(twoDigits: number, currentYear: number): number {
  const year = currentYear - (currentYear % 100) + twoDigits;
  if (year > currentYear + 50) return year - 100;
  return year <= currentYear - 50 ? year + 100 : year;
}

function fieldsOf(value: string, now: number): DateFields | undefined {
  let match = IMF_FIXDATE.exec(value);
  if (match) {
    const [, day, month, year, hour, minute, second] = match;
    return { year: +year, month: monthIndex(month), day: +day, hour: +hour, minute: +minute, second: +second };
  }
  match = RFC850_DATE.exec(value);
  if (match) {
    const [, day, month, year, hour, minute, second] = match;
    const currentYear = new Date(now).getUTCFullYear();
    return {
      year: rfc850Year(+year, currentYear),
      month: monthIndex(month),
      day: +day,
      hour: +hour,
      minute: +minute,
      second: +second,
    };
  }
  match = ASCTIME_DATE.exec(value);
  if (match) {
    const [, month, day, hour, minute, second, year] = match;
    return { year: +year, month: monthIndex(month), day: +day, hour: +hour, minute: +minute, second: +second };
  }
  return undefined;
}

/**
 * The time of an HTTP-date in milliseconds since the epoch (a whole second), or
 * undefined when the value is not one. `now` places an RFC 850 two-digit year. A leap
 * second (`:60`, which the grammar allows) counts as the second before it.
 */
export function parseHttpDate(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined || value.length > LONGEST_HTTP_DATE) return undefined;
  const fields = fieldsOf(value, now);
  if (fields === undefined) return undefined;
  const { year, month, day, hour, minute, second } = fields;
  if (hour > 23 || minute > 59 || second > 60 || day < 1) return undefined;
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: the latter reads years 0 to 99 as 1900 to 1999.
  date.setUTCFullYear(year, month, day);
  // Date rolls 31 April over into 1 May: such a date does not exist.
  if (date.getUTCDate() !== day || date.getUTCMonth() !== month) return undefined;
  date.setUTCHours(hour, minute, Math.min(second, 59));
  return date.getTime();
}
