import { Injectable } from '@nestjs/common';
import { Cacheable } from '@lexikon/cache';

export interface Price {
  readonly sku: string;
  readonly cents: number;
  /** Which run of the method computed it. */
  readonly run: number;
}

@Injectable()
export class PricesService {
  /** How often `price` itself ran. */
  runs = 0;

  @Cacheable({ key: 'price:{sku}', ttl: '5m', tags: ['prices'] })
  async price(sku: string): Promise<Price> {
    this.runs += 1;
    return Promise.resolve({ sku, cents: 100 * sku.length, run: this.runs });
  }
}
