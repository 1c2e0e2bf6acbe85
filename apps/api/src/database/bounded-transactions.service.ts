import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import {
  databaseTimeoutsConfig,
  type DatabaseTimeoutsConfig,
} from '../config/database-timeouts.config.js';
import { AbandonedBackends } from './abandoned-backends.js';
import { TransactionTimeoutError } from './transaction-timeout.error.js';

/**
 * Transactions with a deadline. Each statement is already bounded; this
 * bounds the sum, so that a transaction of many slow statements (or one held
 * up by locks) cannot hold its locks and its request for long.
 *
 * @example
 * await this.transactions.run(async (tx) => tx.getRepository(User).delete({ id }));
 */
@Injectable()
export class BoundedTransactions {
  constructor(
    private readonly dataSource: DataSource,
    private readonly backends: AbandonedBackends,
    @Inject(databaseTimeoutsConfig.KEY)
    private readonly timeouts: DatabaseTimeoutsConfig,
  ) {}

  /**
   * Runs `work` in a transaction that must commit within
   * `DB_TRANSACTION_TIMEOUT_MS`, getting its connection included. Past it,
   * the connection is closed (PostgreSQL rolls the transaction back, unless
   * the COMMIT was already on its way) and `TransactionTimeoutError` is
   * thrown.
   */
  async run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const limitMs = this.timeouts.transactionTimeoutMs;
    const runner = this.dataSource.createQueryRunner();
    let client: pg.Client | undefined;
    let expired = false;
    // synchronous on purpose: the runner cannot have been released yet
    // (finally clears the timer first), so its connection is still ours
    const timer = setTimeout(() => {
      expired = true;
      if (client) {
        this.backends.abandon(client, `transaction past ${limitMs} ms`);
      }
    }, limitMs);
    try {
      client = (await runner.connect()) as pg.Client;
      if (expired) throw new TransactionTimeoutError(limitMs);
      await runner.startTransaction();
      const result = await work(runner.manager);
      await runner.commitTransaction();
      return result;
    } catch (error) {
      if (expired) {
        throw error instanceof TransactionTimeoutError
          ? error
          : new TransactionTimeoutError(limitMs, { cause: error });
      }
      if (runner.isTransactionActive) {
        // on a broken connection this fails too; the first error is the one to report
        await runner.rollbackTransaction().catch(() => undefined);
      }
      throw error;
    } finally {
      clearTimeout(timer);
      await runner.release();
    }
  }
}
