import { breaksEarlyHints, isNginx } from './proxy.js';

test('breaksEarlyHints names an nginx (or OpenResty) before 1.29 from its Server header', () => {
  expect(breaksEarlyHints('nginx/1.22.1')).toBe('nginx 1.22.1');
  expect(breaksEarlyHints('nginx/1.28.0 (Ubuntu)')).toBe('nginx 1.28.0');
  expect(breaksEarlyHints('openresty/1.21.4.1')).toBe('openresty 1.21.4');
  expect(breaksEarlyHints('nginx/1.29.0')).toBeUndefined();
  expect(breaksEarlyHints('nginx/2.0')).toBeUndefined();
  // server_tokens off: no version, no claim.
  expect(breaksEarlyHints('nginx')).toBeUndefined();
  expect(breaksEarlyHints('Caddy')).toBeUndefined();
  expect([isNginx('nginx'), isNginx('openresty/1.25'), isNginx('Apache/2.4')]).toEqual([true, true, false]);
});
