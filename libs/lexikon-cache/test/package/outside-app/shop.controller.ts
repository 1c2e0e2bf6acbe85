import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { Cacheable, CacheService } from '@lexikon/cache';
import { PricesService } from './prices.service.js';

@Controller()
export class ShopController {
  private served = 0;

  constructor(
    private readonly prices: PricesService,
    private readonly cache: CacheService,
  ) {}

  /** A cached route: the handler runs on a miss only. */
  @Get('items/:id')
  @Cacheable({ key: 'item:{id}', ttl: '5m', tags: ['items'] })
  item(@Param('id') id: string): { id: string; served: number } {
    this.served += 1;
    return { id, served: this.served };
  }

  /** Not cached itself: calls a provider method that is. */
  @Get('prices/:sku')
  async price(@Param('sku') sku: string) {
    const price = await this.prices.price(sku);
    return { ...price, runs: this.prices.runs };
  }

  @Post('invalidate/:tag')
  @HttpCode(200)
  async invalidate(@Param('tag') tag: string): Promise<{ applied: boolean }> {
    return { applied: await this.cache.invalidateTags([tag]) };
  }
}
