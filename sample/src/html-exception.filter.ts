import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';

/** The site's own error page for browsers (JSON for API clients), as server-rendered apps have. */
@Catch(HttpException)
export class HtmlExceptionFilter implements ExceptionFilter {
  catch(exception: HttpException, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const status = exception.getStatus();
    if (request.accepts(['json', 'html']) === 'html') {
      response.status(status).render('error', { title: `${status}`, message: exception.message });
    } else {
      response.status(status).json(exception.getResponse());
    }
  }
}
