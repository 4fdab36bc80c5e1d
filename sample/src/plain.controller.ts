import { Controller, Get, Render } from '@nestjs/common';
import { NoPreload } from 'nestjs-http2-preload';

@NoPreload()
@Controller('plain')
export class PlainController {
  @Get()
  @Render('plain')
  plain() {
    return { title: 'No preload' };
  }
}
