import { Controller, Get, Module, Render } from '@nestjs/common';
import { Http2PreloadModule, Preload } from '../src/index.js';
import { startApp, type RunningApp } from './support/app.js';
import { Barrier } from './support/gate.js';
import { navigate } from './support/http.js';
import { keepAliveExchange, parseResponses, pipeline, rawNavigation, type WireResponse } from './support/pipeline.js';

/** Every handler waits here; a test sets a barrier for as many requests as it pipelines. */
let barrier = new Barrier(0);

@Controller()
class PipelinedController {
  @Get('flushed')
  @Render('page')
  async flushed() {
    await barrier.arrive();
    return { title: 'Flushed' };
  }

  @Preload({ strategy: 'earlyHints' })
  @Get('hinted')
  @Render('page')
  async hinted() {
    await barrier.arrive();
    return { title: 'Hinted' };
  }

  @Get('api')
  async api() {
    await barrier.arrive();
    return { route: 'api' };
  }
}

@Module({ imports: [Http2PreloadModule.forRoot()], controllers: [PipelinedController] })
class AppModule {}

type Route = 'flushed' | 'hinted' | 'api';
const ROUTES: readonly Route[] = ['flushed', 'hinted', 'api'];

/** Every sequence of three requests over the three routes (27), each order and repeats included. */
const SEQUENCES: readonly Route[][] = ROUTES.flatMap((a) => ROUTES.flatMap((b) => ROUTES.map((c) => [a, b, c])));

function header(response: WireResponse, name: string): string | undefined {
  return response.headers.get(name)?.join(', ');
}

/**
 * Splits the responses of one connection among its requests (any 1xx, then one final
 * response each) and checks that each final response is the page or JSON its request
 * asked for, and that a 103 comes only right before a hinted page's own response.
 */
function matchResponses(sequence: readonly Route[], responses: readonly WireResponse[]): { informational: number }[] {
  const matched: { informational: number }[] = [];
  let at = 0;
  for (const route of sequence) {
    let informational = 0;
    while (at < responses.length && responses[at].statusCode < 200) {
      expect(responses[at].statusCode).toBe(103);
      expect(route).toBe('hinted');
      expect(header(responses[at], 'link')).toContain('/static/css/app.css');
      informational += 1;
      at += 1;
    }
    expect(informational).toBeLessThanOrEqual(1);
    const final = responses[at];
    expect(final).toBeDefined();
    at += 1;
    expect(final.statusCode).toBe(200);
    if (route === 'api') {
      expect(JSON.parse(final.body)).toEqual({ route: 'api' });
      expect(final.headers.has('link')).toBe(false);
    } else {
      expect(final.body).toContain(`<title>${route === 'flushed' ? 'Flushed' : 'Hinted'}</title>`);
      expect(final.body.trimEnd().endsWith('</html>')).toBe(true);
      expect(header(final, 'link')).toContain('/static/css/app.css');
      // A 103 goes with an early response; a hinted page that got none is late.
      if (route === 'hinted') expect(header(final, 'x-http2-preload')).toBe(informational > 0 ? 'early' : 'late');
      if (route === 'flushed') expect(header(final, 'x-http2-preload')).toBe('early');
    }
    matched.push({ informational });
  }
  expect(at).toBe(responses.length);
  return matched;
}

describe('pipelined requests: a 103 only when its response owns the connection', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp(AppModule);
    // Warm both pages up, so that every later request has hints to send early.
    for (const path of ['/flushed', '/hinted']) await navigate(`${running.baseUrl}${path}`);
  });
  afterEach(() => barrier.release());
  afterAll(() => running.close());

  function requestsFor(sequence: readonly Route[]): string[] {
    return sequence.map((route, i) => rawNavigation(`/${route}`, i === sequence.length - 1));
  }

  it('keeps every connection well framed when all three handlers run at once, in every order', async () => {
    for (let round = 0; round < 2; round += 1) {
      for (const sequence of SEQUENCES) {
        // Every handler waits until all three run: the later requests' interceptors run
        // while the first response still holds the connection.
        barrier = new Barrier(sequence.length);
        const responses = parseResponses(await pipeline(running.baseUrl, requestsFor(sequence)));
        const matched = matchResponses(sequence, responses);
        // Only the first response owns the connection while its handler runs.
        expect(matched.map((m) => m.informational)).toEqual(
          sequence.map((route, i) => (route === 'hinted' && i === 0 ? 1 : 0)),
        );
      }
    }
  });

  it('keeps every connection well framed when the handlers are not held', async () => {
    barrier = new Barrier(0);
    for (let round = 0; round < 3; round += 1) {
      for (const sequence of SEQUENCES) {
        matchResponses(sequence, parseResponses(await pipeline(running.baseUrl, requestsFor(sequence))));
      }
    }
  });

  it('sends the 103 on a keep-alive connection once the responses before it are done', async () => {
    barrier = new Barrier(0);
    const sequence: Route[] = ['flushed', 'api', 'hinted', 'hinted'];
    const wire = await keepAliveExchange(running.baseUrl, requestsFor(sequence));
    expect(matchResponses(sequence, parseResponses(wire))).toEqual([
      { informational: 0 },
      { informational: 0 },
      { informational: 1 },
      { informational: 1 },
    ]);
  });
});
