import { Module } from '@nestjs/common';
import { Http2PreloadModule } from 'nestjs-http2-preload';
import { AppController } from './app.controller.js';
import { AppService } from './app.service.js';

@Module({
  imports: [Http2PreloadModule.forRoot({ staticPrefix: '/static/', sharedHintOrigins: ['https://cdn.example.com'] })],
  controllers: [AppController],
  providers: [AppService],
})
export class AppModule {}
