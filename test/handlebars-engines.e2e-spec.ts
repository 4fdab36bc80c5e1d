import { Controller, Get, Module, Render } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { create as createExpressHandlebars } from 'express-handlebars';
import Handlebars from 'handlebars';
import hbs from 'hbs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Http2PreloadModule, registerPreloadHelper } from '../src/index.js';
import { startApp, type RunningApp } from './support/app.js';
import { linkUrls, navigate } from './support/http.js';

const VIEWS = fileURLToPath(new URL('./fixtures/exphbs', import.meta.url));
const EXPECTED_LINKS = ['/static/css/app.css?v=7', '/static/fonts/a.woff2', '/static/js/a.js', '/static/js/b.js'];

@Controller()
class PageController {
  @Get('page')
  @Render('page')
  page() {
    return { layout: false, version: '7', scripts: ['js/a.js', 'js/b.js'] };
  }

  @Get('broken')
  @Render('broken')
  broken() {
    return { layout: false };
  }
}

@Module({ imports: [Http2PreloadModule.forRoot()], controllers: [PageController] })
class AppModule {}

/** A view engine made of nothing but a Handlebars instance, as some apps write one. */
function plainHandlebarsEngine(handlebars: typeof Handlebars) {
  return (file: string, options: object, done: (error: unknown, html?: string) => void) => {
    readFile(file, 'utf8')
      .then((source) => done(null, handlebars.compile(source)(options)))
      .catch(done);
  };
}

const ENGINES: [string, (app: NestExpressApplication) => void][] = [
  [
    'hbs',
    (app) => {
      registerPreloadHelper(hbs);
      app.setBaseViewsDir(VIEWS);
      app.setViewEngine('hbs');
    },
  ],
  [
    'express-handlebars',
    (app) => {
      // express-handlebars types its .handlebars loosely: register on the instance you hand it.
      const handlebars = Handlebars.create();
      registerPreloadHelper(handlebars);
      const engine = createExpressHandlebars({ handlebars, extname: '.hbs', defaultLayout: false });
      app.engine('hbs', engine.engine);
      app.setBaseViewsDir(VIEWS);
      app.setViewEngine('hbs');
    },
  ],
  [
    'a plain Handlebars instance',
    (app) => {
      const handlebars = Handlebars.create();
      registerPreloadHelper(handlebars);
      app.engine('hbs', plainHandlebarsEngine(handlebars));
      app.setBaseViewsDir(VIEWS);
      app.setViewEngine('hbs');
    },
  ],
];

describe.each(ENGINES)('the helper with %s', (_name, configure) => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp(AppModule, { configure });
  });
  afterAll(() => running.close());

  it('returns the URLs into the page and records them for the Link header', async () => {
    const res = await navigate(`${running.baseUrl}/page`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-http2-preload']).toBe('late');
    expect(linkUrls(res.headers.link)).toEqual(EXPECTED_LINKS);
    expect(res.headers.link).toContain(
      '</static/fonts/a.woff2>; rel=preload; as=font; crossorigin=anonymous; type="font/woff2"; nopush',
    );
    // Handlebars escapes the returned URL like any {{…}} output.
    expect(res.body).toContain('href="/static/css/app.css?v&#x3D;7"');
    expect(res.body).toContain('<script src="/static/js/b.js" defer></script>');
  });

  it('fails the render of a template that calls the helper without a path, and the app goes on', async () => {
    const broken = await navigate(`${running.baseUrl}/broken`);
    expect(broken.statusCode).toBe(500);
    expect(broken.headers.link).toBeUndefined();
    const next = await navigate(`${running.baseUrl}/page`);
    expect(next.statusCode).toBe(200);
    expect(linkUrls(next.headers.link)).toEqual(EXPECTED_LINKS);
  });
});

describe('the helper outside a request', () => {
  const handlebars = Handlebars.create();
  registerPreloadHelper(handlebars);
  const render = (source: string, context: object = {}) => handlebars.compile(source)(context);

  it('returns the URL and records nothing (an e-mail template, say)', () => {
    expect(render("{{preload 'css/mail.css'}}")).toBe('/static/css/mail.css');
    expect(render("{{preload '/root/x.js'}} {{preload 'https://cdn.example.com/y.js'}}")).toBe(
      '/root/x.js https://cdn.example.com/y.js',
    );
  });

  it('adds a version argument as ?v=, also to a URL that has a query', () => {
    expect(render("{{preload 'js/app.js' 'v3'}}")).toBe('/static/js/app.js?v&#x3D;v3');
    expect(render("{{{preload 'js/app.js' 'v3'}}}")).toBe('/static/js/app.js?v=v3');
    expect(render("{{{preload 'js/app.js?lang=en' 2}}}")).toBe('/static/js/app.js?lang=en&v=2');
    expect(render("{{{preload 'js/app.js' missing}}}")).toBe('/static/js/app.js');
  });

  it('HTML-escapes the URL', () => {
    expect(render("{{preload 'img/a&b\"c.png'}}")).toBe('/static/img/a&amp;b&quot;c.png');
  });

  it('explains a missing or non-string path, naming the helper', () => {
    expect(() => render('{{preload}}')).toThrow(
      "{{preload}} needs an asset path as its first argument, as in {{preload 'css/app.css'}}; got undefined.",
    );
    expect(() => render('{{preload 42}}')).toThrow(/\{\{preload\}\} needs an asset path .*; got 42\./);
    expect(() => render('{{preload path}}', { path: '' })).toThrow(/\{\{preload\}\} needs an asset path .*; got ""\./);
    expect(() => render("{{preload 'a.css' 'v1' 'extra'}}")).toThrow(
      /\{\{preload "a\.css"\}\} takes at most one more argument/,
    );
  });

  it('checks the hash options', () => {
    expect(() => render("{{preload 'a.css' as='styles'}}")).toThrow(
      /\{\{preload "a\.css"\}\}: .*"as" must be one of audio, document, .*; got "styles"/,
    );
    expect(() => render("{{preload 'a.css' rel='x'}}")).toThrow(
      /"rel" must be one of preload, modulepreload, preconnect; got "x"/,
    );
    expect(() => render("{{preload 'a.css' media='print' rel='stylesheet'}}")).toThrow(/"rel" must be one of/);
    expect(() => render("{{preload 'a.css' colour='red'}}")).toThrow(/unknown attribute "colour"/);
    expect(render("{{preload 'a.css' crossorigin=true fetchpriority='high'}}")).toBe('/static/a.css');
  });

  it('can be registered under another name', () => {
    registerPreloadHelper(handlebars, { name: 'asset' });
    expect(render("{{asset 'css/x.css'}}")).toBe('/static/css/x.css');
    expect(() => render('{{asset}}')).toThrow(/^\{\{asset\}\} needs an asset path/);
  });

  it('refuses what is not a Handlebars instance, or a bad name', () => {
    expect(() => registerPreloadHelper({} as never)).toThrow(/expected a Handlebars instance/);
    expect(() => registerPreloadHelper(handlebars, { name: 'no spaces' })).toThrow(/valid Handlebars helper name/);
  });
});
