import { nonceRequired } from './nonce.js';

test('nonceRequired follows the directive that governs each kind of preload', () => {
  expect(nonceRequired("default-src 'self'; script-src 'nonce-a'", 'script')).toBe(true);
  expect(nonceRequired("default-src 'self'; script-src 'nonce-a'", 'style')).toBe(false);
  expect(nonceRequired("default-src 'nonce-a'", 'style')).toBe(true);
  expect(nonceRequired("script-src 'nonce-a'; script-src-elem 'self'", 'script')).toBe(false);
  expect(nonceRequired("default-src 'self', style-src 'nonce-a'", 'style')).toBe(true);
  expect(nonceRequired("script-src 'nonce-a'", 'image')).toBe(false);
  expect(nonceRequired(undefined, 'script')).toBe(false);
});
