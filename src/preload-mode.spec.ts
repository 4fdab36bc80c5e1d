import { isHtmlContentType, modeAtHeaderTime } from './preload-mode.js';

describe('isHtmlContentType', () => {
  it.each(['text/html', 'text/html; charset=utf-8', 'TEXT/HTML;charset=UTF-8', ' text/html '])('%j is HTML', (value) => {
    expect(isHtmlContentType(value)).toBe(true);
  });

  it.each(['application/json', 'text/plain', 'text/htmlx', 'application/xhtml+xml', '', undefined, 42, ['text/html']])(
    '%j is not HTML',
    (value) => {
      expect(isHtmlContentType(value)).toBe(false);
    },
  );
});

describe('modeAtHeaderTime', () => {
  const html = { statusCode: 200, contentType: 'text/html; charset=utf-8', optedOut: false, hintCount: 3, sentEarly: false };

  it('is late for a successful HTML page that recorded hints', () => {
    expect(modeAtHeaderTime(html)).toBe('late');
    expect(modeAtHeaderTime({ ...html, statusCode: 203 })).toBe('late');
  });

  it('is off for an HTML page without hints, opted out, or not successful', () => {
    expect(modeAtHeaderTime({ ...html, hintCount: 0 })).toBe('off');
    expect(modeAtHeaderTime({ ...html, optedOut: true })).toBe('off');
    expect(modeAtHeaderTime({ ...html, statusCode: 404 })).toBe('off');
    expect(modeAtHeaderTime({ ...html, statusCode: 500 })).toBe('off');
    expect(modeAtHeaderTime({ ...html, statusCode: 302 })).toBe('off');
  });

  it('leaves anything but HTML alone', () => {
    expect(modeAtHeaderTime({ ...html, contentType: 'application/json' })).toBeUndefined();
    expect(modeAtHeaderTime({ ...html, contentType: undefined })).toBeUndefined();
  });
});
