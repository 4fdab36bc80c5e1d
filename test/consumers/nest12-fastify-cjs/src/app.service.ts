import { Injectable } from '@nestjs/common';
import { PreloadCollector } from 'nestjs-http2-preload';

@Injectable()
export class AppService {
  constructor(private readonly preload: PreloadCollector) {}

  getHello(): string {
    this.preload.add('/static/img/hero.webp', { fetchpriority: 'high' });
    return 'Hello World!';
  }
}
