import { Module } from '@nestjs/common';
import { Http2PreloadModule } from 'nestjs-http2-preload';
import { AppController } from './app.controller';
import { AppService } from './app.service';

@Module({
  imports: [Http2PreloadModule.forRoot({ staticPrefix: '/static/', sharedHintOrigins: ['https://cdn.example.com'] })],
  controllers: [AppController],
  providers: [AppService],
})
export class AppModule {}
