import { Controller, Get, Module, Render } from '@nestjs/common';
import Handlebars from 'handlebars';
import { Http2PreloadModule, Preload, registerPreloadHelper } from '../src/index.js';
import { startApp, type RunningApp } from './support/app.js';
import { navigate } from './support/http.js';

@Controller()
class PagesController {
  @Get('modules')
  @Render('modules')
  modules() {
    return { title: 'Modules' };
  }

  @Preload({ strategy: 'earlyHints' })
  @Get('modules-103')
  @Render('modules')
  modules103() {
    return { title: 'Modules' };
  }
}

// The page's own links (layout: app.css, app.js) and the modules view's, in header order.
const LINKS = [
  '<https://fonts.example.com>; rel=preconnect; crossorigin=anonymous',
  '<https://cdn.example.com>; rel=preconnect',
  '</static/css/app.css>; rel=preload; as=style; nopush',
  '</static/js/main.mjs>; rel=modulepreload; nopush',
  '</static/js/widget.js>; rel=modulepreload; nopush',
  '</static/js/app.js>; rel=preload; as=script; nopush',
];

describe('{{preload}} of module scripts and {{preconnect}}', () => {
  let running: RunningApp;
  beforeAll(async () => {
    // Other origins go early only when listed (see the Security section): a preconnect too.
    @Module({
      imports: [
        Http2PreloadModule.forRoot({ sharedHintOrigins: ['https://fonts.example.com', 'https://cdn.example.com'] }),
      ],
      controllers: [PagesController],
    })
    class AppModule {}
    running = await startApp(AppModule);
  });
  afterAll(() => running.close());

  it('renders the URLs and sends each link once, late then early in flushed headers', async () => {
    const first = await navigate(`${running.baseUrl}/modules`);
    expect(first.body).toContain('<script type="module" src="/static/js/main.mjs"></script>');
    expect(first.body).toContain('<link rel="preconnect" href="https://cdn.example.com">');
    expect(first.headers['x-http2-preload']).toBe('late');
    expect(first.headers.link).toBe(LINKS.join(', '));

    const second = await navigate(`${running.baseUrl}/modules`);
    expect(second.headers['x-http2-preload']).toBe('early');
    expect(second.headers.link).toBe(LINKS.join(', '));
  });

  it('sends them in a 103, without nopush', async () => {
    await navigate(`${running.baseUrl}/modules-103`);
    const second = await navigate(`${running.baseUrl}/modules-103`);
    expect(second.informational).toHaveLength(1);
    expect(second.informational[0].headers.link).toBe(LINKS.map((link) => link.replace('; nopush', '')).join(', '));
    expect(second.headers.link).toBe(LINKS.join(', '));
  });

  it('keeps them within the byte budget, preconnects last to go', async () => {
    @Module({ imports: [Http2PreloadModule.forRoot({ maxHeaderBytes: 120 })], controllers: [PagesController] })
    class SmallBudgetModule {}
    const small = await startApp(SmallBudgetModule);
    try {
      const response = await navigate(`${small.baseUrl}/modules`);
      expect(response.headers.link).toBe(LINKS.slice(0, 2).join(', '));
    } finally {
      await small.close();
    }
  });
});

describe('the {{preconnect}} helper', () => {
  function render(template: string, options?: Parameters<typeof registerPreloadHelper>[1]): string {
    const handlebars = Handlebars.create();
    registerPreloadHelper(handlebars, options);
    return handlebars.compile(template)({});
  }

  it('returns the origin as given, outside a request too', () => {
    expect(render("{{preconnect 'https://cdn.example.com'}}")).toBe('https://cdn.example.com');
    expect(render("{{preconnect 'https://fonts.example.com' crossorigin=true}}")).toBe('https://fonts.example.com');
  });

  it('fails the render with a message naming the helper for a missing origin, a path or a preload attribute', () => {
    expect(() => render('{{preconnect}}')).toThrow(
      /\{\{preconnect\}\} takes one origin, as in \{\{preconnect 'https:\/\/cdn\.example\.com'\}\}; got nothing/,
    );
    expect(() => render("{{preconnect 'css/app.css'}}")).toThrow(
      /\{\{preconnect "css\/app\.css"\}\}: .*a preconnect needs an origin/,
    );
    expect(() => render("{{preconnect 'https://cdn.example.com' as='font'}}")).toThrow(
      /a preconnect takes only "crossorigin"; got "as"/,
    );
  });

  it('is renamed with preconnectName, or left out with false', () => {
    expect(render("{{origin 'https://cdn.example.com'}}", { preconnectName: 'origin' })).toBe(
      'https://cdn.example.com',
    );
    expect(() => render("{{preconnect 'https://cdn.example.com'}}", { preconnectName: false })).toThrow(
      /Missing helper: "preconnect"/,
    );
    expect(() => render('', { preconnectName: 'not a name' })).toThrow(
      /"preconnectName" must be a valid Handlebars helper name or false, got "not a name"/,
    );
  });
});
