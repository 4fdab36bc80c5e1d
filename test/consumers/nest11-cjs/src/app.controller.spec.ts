import { Test, TestingModule } from '@nestjs/testing';
import { Http2PreloadModule, PreloadCollector } from 'nestjs-http2-preload';
import { AppController } from './app.controller';
import { AppService } from './app.service';

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
    const appController = await moduleRef.resolve(AppController);
    expect(appController.getHello()).toEqual({ message: 'Hello World!' });
    const collector = await moduleRef.resolve(PreloadCollector);
    expect(collector).toBeInstanceOf(PreloadCollector);
  });
});
