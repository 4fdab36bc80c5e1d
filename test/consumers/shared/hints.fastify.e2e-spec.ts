import { Test, TestingModule } from '@nestjs/testing';
import {
  FastifyAdapter,
  type NestFastifyApplication,
} from '@nestjs/platform-fastify';
import request from 'supertest';
import { AppModule } from './../src/app.module.js';
import { setUpViews } from './../src/app.setup.js';

describe('hints (e2e)', () => {
  let app: NestFastifyApplication;
  let url: string;

  beforeAll(async () => {
    const moduleFixture: TestingModule = await Test.createTestingModule({
      imports: [AppModule],
    }).compile();

    app = moduleFixture.createNestApplication<NestFastifyApplication>(
      new FastifyAdapter(),
    );
    setUpViews(app);
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  });

  afterAll(async () => {
    await app.close();
  });

  it('/ (GET): the stylesheet, the module script and the hero image, late then early', async () => {
    const first = await request(url)
      .get('/')
      .set('Accept', 'text/html')
      .expect(200);
    expect(first.text).toContain('Hello World!');
    expect(first.headers['x-http2-preload']).toBe('late');
    expect(first.headers.link).toContain(
      '</static/css/app.css>; rel=preload; as=style',
    );
    expect(first.headers.link).toContain(
      '</static/img/hero.webp>; rel=preload; as=image; fetchpriority=high',
    );
    expect(first.headers.link).toContain(
      '</static/js/app.mjs>; rel=modulepreload',
    );

    const second = await request(url)
      .get('/')
      .set('Accept', 'text/html')
      .expect(200);
    expect(second.text).toContain('Hello World!');
    expect(second.headers['x-http2-preload']).toBe('early');
    expect(second.headers.link).toBe(first.headers.link);
  });
});
