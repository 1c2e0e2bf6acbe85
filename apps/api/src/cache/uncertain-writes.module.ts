import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module.js';
import { UncertainWrites } from './uncertain-writes.service.js';

/** `UncertainWrites`, for the services that write. */
@Module({
  imports: [DatabaseModule],
  providers: [UncertainWrites],
  exports: [UncertainWrites],
})
export class UncertainWritesModule {}
