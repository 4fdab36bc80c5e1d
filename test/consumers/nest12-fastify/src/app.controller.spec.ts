import { ContextIdFactory } from '@nestjs/core';
import { Test, TestingModule } from '@nestjs/testing';
import { Http2PreloadModule, PreloadCollector } from 'nestjs-http2-preload';
import { AppController } from './app.controller.js';
import { AppService } from './app.service.js';

describe('AppController', () => {
  let moduleRef: TestingModule;

  beforeEach(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [Http2PreloadModule.forRoot()],
      controllers: [AppController],
      providers: [AppService],
    }).compile();
  });

  afterEach(() => moduleRef.close());

  it('returns "Hello World!" and records the hero image, outside any request', async () => {
    // AppService injects the request-scoped PreloadCollector, so the controller is resolved, not got.
    const contextId = ContextIdFactory.create();
    const appController = await moduleRef.resolve(AppController, contextId);
    expect(appController.getHello()).toEqual({ message: 'Hello World!' });
    const collector = await moduleRef.resolve(PreloadCollector, contextId);
    expect(collector).toBeInstanceOf(PreloadCollector);
    expect(collector.entries()).toEqual([
      { url: '/static/img/hero.webp', as: 'image', fetchpriority: 'high' },
    ]);
  });
});
