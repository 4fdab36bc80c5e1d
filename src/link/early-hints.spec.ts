import { once } from 'node:events';
import { createServer, get, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { earlyHintLinks, flushedEarlyLinks, ownsSocket } from './early-hints.js';
import { formatLink } from './link-header.js';
import { normalizeHint } from '../preload-hint.js';

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

  it('never adds nopush, which makes Chromium drop an early-hint link', () => {
    expect(earlyHintLinks([hint('/app.css')], nopush)).toEqual(['</app.css>; rel=preload; as=style']);
  });

  it('with a nonce, sends each script and style twice, the nonce copy first; other files once, without it', () => {
    const links = earlyHintLinks(
      [hint('/app.js'), hint('/app.css'), hint('/f.woff2'), hint('/logo.svg'), hint('/m.js', { rel: 'modulepreload' })],
      { ...nopush, nonce: 'abc' },
    );
    expect(links).toEqual([
      '</app.css>; rel=preload; as=style; nonce=abc',
      '</app.css>; rel=preload; as=style',
      '</f.woff2>; rel=preload; as=font; crossorigin=anonymous',
      '</app.js>; rel=preload; as=script; nonce=abc',
      '</app.js>; rel=preload; as=script',
      '</m.js>; rel=modulepreload; nonce=abc',
      '</m.js>; rel=modulepreload',
      '</logo.svg>; rel=preload; as=image',
    ]);
  });

  it('spends the budget on plain links first, then on nonce copies in priority order', () => {
    const hints = [hint('/a.css'), hint('/b.js'), hint('/c.png')];
    const plain = earlyHintLinks(hints, push);
    const plainBytes = plain.join(', ').length;
    const cssCopy = '</a.css>; rel=preload; as=style; nonce=abc';
    // Room for the plain links and one copy: the stylesheet's, the most important.
    const oneCopy = earlyHintLinks(hints, { ...push, nonce: 'abc', maxBytes: plainBytes + 2 + cssCopy.length });
    expect(oneCopy).toEqual([cssCopy, ...plain]);
    // Room for the plain links only: no copies, every file still hinted.
    expect(earlyHintLinks(hints, { ...push, nonce: 'abc', maxBytes: plainBytes })).toEqual(plain);
    // Without a budget, both copies.
    expect(earlyHintLinks(hints, { ...push, nonce: 'abc' })).toHaveLength(5);
  });

  it('quotes a nonce that is not a token, in a shape Node still sends in a 103', async () => {
    const links = earlyHintLinks([hint('/app.css')], { ...nopush, nonce: 'ab+/cd==' });
    expect(links).toEqual(['</app.css>; rel=preload; as=style; nonce="ab+/cd=="', '</app.css>; rel=preload; as=style']);
    const server = createServer((_req, res) => {
      res.writeEarlyHints({ link: [...links] });
      res.end();
    });
    try {
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const { port } = server.address() as AddressInfo;
      const request = get({ host: '127.0.0.1', port, path: '/', agent: false });
      // Both awaited from the start: the 103 and the 200 can arrive in one chunk.
      const [[info], [response]] = (await Promise.all([once(request, 'information'), once(request, 'response')])) as [
        [{ statusCode: number; headers: Record<string, string> }],
        [IncomingMessage],
      ];
      expect(info.statusCode).toBe(103);
      expect(info.headers.link).toBe(links.join(', '));
      response.resume();
      await once(response, 'end');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
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

describe('flushedEarlyLinks', () => {
  it('is the Link value, or undefined when not one link fits the budget', () => {
    expect(flushedEarlyLinks([hint('/a.css')], { nopush: true, maxBytes: 100 })).toBe(
      '</a.css>; rel=preload; as=style; nopush',
    );
    expect(flushedEarlyLinks([hint('/a.css')], { nopush: true, maxBytes: 10 })).toBeUndefined();
    expect(flushedEarlyLinks([], nopush)).toBeUndefined();
  });
});

describe('ownsSocket', () => {
  it('is true only for the response its pipelined connection is writing now', async () => {
    const owned: Record<string, boolean[]> = {};
    let bothArrived!: () => void;
    const arrived = new Promise<void>((resolve) => (bothArrived = resolve));
    const server = createServer((req, res) => {
      const path = req.url ?? '';
      owned[path] = [ownsSocket(res)];
      if (Object.keys(owned).length === 2) bothArrived();
      // Both requests are in the handler before the first answers: the second waits its turn.
      void arrived.then(() => {
        owned[path].push(ownsSocket(res));
        res.end('ok');
      });
    });
    try {
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const { port } = server.address() as AddressInfo;
      const socket = connect({ host: '127.0.0.1', port });
      await once(socket, 'connect');
      socket.write(
        'GET /first HTTP/1.1\r\nHost: x\r\n\r\nGET /second HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      );
      socket.resume();
      await once(socket, 'close');
      // The second response gets the socket once the first is done, after its handler looked.
      expect(owned).toEqual({ '/first': [true, true], '/second': [false, false] });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
