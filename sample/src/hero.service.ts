import { Injectable } from '@nestjs/common';
import { PreloadCollector } from 'nestjs-http2-preload';
import { ASSET_VERSION } from './asset-version.js';

/** Picks the page's hero image and asks for it to be preloaded, as a service may. */
@Injectable()
export class HeroService {
  constructor(private readonly preload: PreloadCollector) {}

  heroImageUrl(): string {
    const url = `/static/img/hero.svg?v=${ASSET_VERSION}`;
    this.preload.add(url, { as: 'image', fetchpriority: 'high' });
    return url;
  }
}
