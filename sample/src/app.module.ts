import { Module } from '@nestjs/common';
import { Http2PreloadModule } from 'nestjs-http2-preload';
import { HeroService } from './hero.service.js';
import { SAMPLE_DIR } from './sample-dir.js';
import { HomeController } from './home.controller.js';
import { PlainController } from './plain.controller.js';
import { ProductsController } from './products.controller.js';
import { SlowController } from './slow.controller.js';
import { StatusController } from './status.controller.js';

@Module({
  imports: [
    Http2PreloadModule.forRoot({
      staticPrefix: '/static/',
      // Routes with @Shell() (see /shell) stream the layout before their body while the handler works.
      shell: { layout: `${SAMPLE_DIR}views/layout.hbs` },
    }),
  ],
  controllers: [HomeController, SlowController, ProductsController, PlainController, StatusController],
  providers: [HeroService],
})
export class AppModule {}
