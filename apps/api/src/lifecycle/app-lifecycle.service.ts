import { Injectable } from '@nestjs/common';

/**
 * - `starting`: modules are still booting (the migrations run while the data
 *   source initializes, before any bootstrap hook).
 * - `running`: every module has booted.
 * - `shutting-down`: a shutdown began; readiness fails from here on.
 */
export type AppPhase = 'starting' | 'running' | 'shutting-down';

/**
 * Where the app is in its life, for the health probes. `AppModule` marks it
 * running once every module has booted; `ShutdownDrainService` marks it
 * shutting down at the start of a shutdown.
 *
 * @example
 * if (lifecycle.phase !== 'running') throw new ServiceUnavailableException();
 */
@Injectable()
export class AppLifecycle {
  private current: AppPhase = 'starting';

  get phase(): AppPhase {
    return this.current;
  }

  markRunning(): void {
    if (this.current === 'starting') this.current = 'running';
  }

  markShuttingDown(): void {
    this.current = 'shutting-down';
  }
}
