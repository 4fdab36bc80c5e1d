import { Controller, Get, NotFoundException, Param, Render } from '@nestjs/common';
import { ETag } from 'nestjs-http2-preload';
import { setTimeout as sleep } from 'node:timers/promises';
import { SLOW_PAGE_DELAY_MS } from './slow.controller.js';

/** Stands in for a products table: a version per product, cheap to read, and slow full rows. */
export const PRODUCTS: Readonly<Record<string, { readonly name: string; readonly version: number }>> = {
  '1': { name: 'Teapot', version: 3 },
  '2': { name: 'Kettle', version: 1 },
};

@Controller('products')
export class ProductsController {
  /**
   * A page that can 404, as every site has (bots ask for ids that do not exist). Its hints
   * are flushed before the handler; when it then throws, the browser is sent to ask again
   * and ends on the app's own 404 page. `@ETag()` answers a revalidation of an unchanged
   * product with a 304 before the slow query, and lets a changed one go early.
   */
  @Get(':id')
  @Render('product')
  @ETag((req) => {
    const product = PRODUCTS[String(req.params.id)];
    return product && `product-${req.params.id}-v${product.version}`;
  })
  async product(@Param('id') id: string) {
    await sleep(SLOW_PAGE_DELAY_MS);
    const product = PRODUCTS[id];
    if (!product) throw new NotFoundException(`There is no product ${id}.`);
    return { title: product.name, id };
  }
}
