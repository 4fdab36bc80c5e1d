import { Module } from '@nestjs/common';
import { Http2PreloadModule } from 'nestjs-http2-preload';
import { HeroService } from './hero.service.js';
import { HomeController } from './home.controller.js';
import { PlainController } from './plain.controller.js';
import { ProductsController } from './products.controller.js';
import { SlowController } from './slow.controller.js';
import { StatusController } from './status.controller.js';

@Module({
  imports: [Http2PreloadModule.forRoot({ staticPrefix: '/static/' })],
  controllers: [HomeController, SlowController, ProductsController, PlainController, StatusController],
  providers: [HeroService],
})
export class AppModule {}
