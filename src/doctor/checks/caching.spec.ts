import { commonFolder } from './caching.js';

test('commonFolder finds the shared folder of the files', () => {
  expect(commonFolder(['/static/css/app.css', '/static/js/app.js'])).toBe('/static/');
  expect(commonFolder(['/static/css/app.css'])).toBe('/static/css/');
  expect(commonFolder(['/a.css', '/static/b.js'])).toBe('/');
});
