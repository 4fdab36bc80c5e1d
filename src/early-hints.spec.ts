import { once } from 'node:events';
import { createServer, get, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { earlyHintLinks } from './early-hints.js';
import { formatLink } from './link-header.js';
import { normalizeHint } from './preload-hint.js';

const hint = normalizeHint;
const push = { nopush: false };
const nopush = { nopush: true };

describe('earlyHintLinks', () => {
  it('orders styles, fonts, scripts, then the rest, and drops repeated URLs', () => {
    const links = earlyHintLinks(
      [hint('/a.png'), hint('/b.js'), hint('/c.woff2'), hint('/d.css'), hint('/b.js')],
      push,
    );
    expect(links).toEqual([
      '</d.css>; rel=preload; as=style',
      '</c.woff2>; rel=preload; as=font; crossorigin=anonymous',
      '</b.js>; rel=preload; as=script',
      '</a.png>; rel=preload; as=image',
    ]);
  });

  it('leaves out every link with a media query, which Chromium ignores in a 103', () => {
    const links = earlyHintLinks(
      [hint('/wide.css', { media: '(max-width: 600px)' }), hint('/print.css', { media: 'print' }), hint('/app.js')],
      push,
    );
    expect(links).toEqual(['</app.js>; rel=preload; as=script']);
  });

  it('never adds nopush or a nonce, either of which makes Chromium drop an early-hint link', () => {
    expect(earlyHintLinks([hint('/app.css')], nopush)).toEqual(['</app.css>; rel=preload; as=style']);
    expect(earlyHintLinks([hint('/app.css')], { ...nopush, nonce: 'abc' })).toEqual(['</app.css>; rel=preload; as=style']);
  });

  it("keeps exactly the links Node's res.writeEarlyHints() accepts", async () => {
    const wide = hint('/wide.css', { media: '(max-width: 600px)' });
    const hints = [
      hint('/app.css'),
      hint('/f.woff2', { type: 'font/woff2' }),
      wide,
      hint('/print.css', { media: 'print' }),
      hint('/app.js', { fetchpriority: 'high' }),
      hint('/data.json', { as: 'fetch', crossorigin: 'use-credentials' }),
    ];
    const candidates = hints.map((h) => formatLink(h, push));

    // Node validates each link as it writes the 103, throwing on a shape it refuses.
    const server = createServer((_req, res) => {
      const accepted = candidates.filter((link) => {
        try {
          res.writeEarlyHints({ link: [link] });
          return true;
        } catch {
          return false;
        }
      });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(accepted));
    });
    try {
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const { port } = server.address() as AddressInfo;
      const [response] = (await once(get({ host: '127.0.0.1', port, path: '/', agent: false }), 'response')) as [
        IncomingMessage,
      ];
      let body = '';
      for await (const chunk of response) body += String(chunk);
      const acceptedByNode = JSON.parse(body) as string[];

      expect(acceptedByNode).not.toContain(formatLink(wide, push));
      expect(acceptedByNode).toHaveLength(candidates.length - 1);
      // Node would carry print.css too; Chromium ignores media in a 103, so it is left out.
      expect([...earlyHintLinks(hints, nopush)].sort()).toEqual(
        acceptedByNode.filter((link) => !link.includes('media=')).sort(),
      );
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
