import { Test, type TestingModule } from '@nestjs/testing';
import Handlebars from 'handlebars';
import { Http2PreloadModule, registerPreloadHelper } from '../src/index.js';

// An e-mail rendered by a job or at startup: no request, so the helper takes the
// staticPrefix of the app that is running.
describe('the helper outside a request, as apps start and close', () => {
  const handlebars = Handlebars.create();
  registerPreloadHelper(handlebars);
  const render = () => handlebars.compile("{{preload 'css/mail.css'}}")({});
  const create = (staticPrefix: string): Promise<TestingModule> =>
    Test.createTestingModule({ imports: [Http2PreloadModule.forRoot({ staticPrefix })] }).compile();

  it('uses the prefix of the last started app still running, and the default once all are closed', async () => {
    const first = await create('/first/');
    const second = await create('https://cdn.example.com/assets/');
    try {
      expect(render()).toBe('/static/css/mail.css');
      await first.init();
      expect(render()).toBe('/first/css/mail.css');
      await second.init();
      expect(render()).toBe('https://cdn.example.com/assets/css/mail.css');
      await second.close();
      expect(render()).toBe('/first/css/mail.css');
      await first.close();
      expect(render()).toBe('/static/css/mail.css');
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});
