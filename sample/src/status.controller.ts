import { Controller, Get } from '@nestjs/common';

/** A JSON route: the module leaves it exactly as it is. */
@Controller('api')
export class StatusController {
  @Get('status')
  status() {
    return { status: 'ok' };
  }
}
