import { Module } from '@nestjs/common';
import { AppLifecycle } from './app-lifecycle.service.js';
import { ShutdownDrainService } from './shutdown-drain.service.js';

/** The app's phase (for the health probes) and the bounded graceful shutdown. */
@Module({
  providers: [AppLifecycle, ShutdownDrainService],
  exports: [AppLifecycle],
})
export class LifecycleModule {}
