import { LOG_LEVELS, type LogLevel } from '@nestjs/common';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateBy,
  validateSync,
  type ValidationError,
} from 'class-validator';
import { ConfigValidationError } from './config-validation.error.js';
import {
  DurationVariable,
  MAX_TIMEOUT_MS,
  toBoolean,
  IntegerVariable,
  UrlVariable,
} from './environment-variable.decorators.js';

/** What the cache does with a value to cache that has a secret-looking field (its `sensitiveGuard`). */
export const CACHE_SENSITIVE_GUARD_MODES = ['warn', 'strict', 'off'] as const;
export type CacheSensitiveGuard = (typeof CACHE_SENSITIVE_GUARD_MODES)[number];

/** The longest grace accepted: 24 days, within setTimeout's limit (about 24.8). */
const MAX_GRACE_MS = 24 * 86_400_000;

/**
 * The environment variables the API reads, with their defaults.
 * Values arrive as strings; integers and booleans are parsed strictly
 * (`"12abc"` is an error, not 12). An empty variable counts as unset.
 */
export class EnvironmentVariables {
  @IntegerVariable(0, 65535)
  PORT: number = 3000;

  @UrlVariable(['postgres:', 'postgresql:'])
  DATABASE_URL?: string;

  @IsOptional()
  @IsString()
  @MaxLength(255, { message: '$property must be at most 255 characters' })
  DB_HOST?: string;

  @IntegerVariable(1, 65535)
  DB_PORT: number = 5432;

  @IsOptional()
  @IsString()
  DB_USER: string = 'postgres';

  @IsOptional()
  @IsString()
  DB_PASSWORD?: string;

  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,63}$/, {
    message:
      '$property must be 1 to 63 letters, digits, underscores or hyphens',
  })
  DB_NAME: string = 'lexikon';

  @IntegerVariable(1, MAX_TIMEOUT_MS)
  DB_CONNECT_TIMEOUT_MS: number = 1000;

  @IntegerVariable(1, MAX_TIMEOUT_MS)
  DB_QUERY_TIMEOUT_MS: number = 2500;

  @IntegerVariable(1, MAX_TIMEOUT_MS)
  DB_STATEMENT_TIMEOUT_MS: number = 2000;

  @IntegerVariable(1, MAX_TIMEOUT_MS)
  DB_TRANSACTION_TIMEOUT_MS: number = 3500;

  @IntegerVariable(1, 3600)
  DB_RETRY_AFTER_SECONDS: number = 5;

  @UrlVariable(['redis:', 'rediss:'])
  @ValidateBy({
    name: 'isRedisDatabasePath',
    validator: {
      validate: (value: unknown) => {
        if (typeof value !== 'string') return true;
        try {
          const path = new URL(value).pathname;
          return path === '' || path === '/' || /^\/\d+$/.test(path);
        } catch {
          return true;
        }
      },
      defaultMessage: () =>
        '$property must name the database as a number (redis://host:6379/0)',
    },
  })
  REDIS_URL?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  REDIS_HOST?: string;

  @IntegerVariable(1, 65535)
  REDIS_PORT: number = 6379;

  @IsOptional()
  @IsString()
  REDIS_PASSWORD?: string;

  @IntegerVariable(0)
  REDIS_DB: number = 0;

  @IntegerVariable(1)
  REDIS_DEFAULT_TTL: number = 3600;

  @IsOptional()
  @Matches(/^[^\s*?[\]{}]{1,64}$/, {
    message:
      '$property must be 1 to 64 characters without whitespace, glob characters (* ? [ ]) or braces',
  })
  REDIS_KEY_PREFIX: string = 'lexikon:';

  @IntegerVariable(1)
  REDIS_COMMAND_TIMEOUT_MS: number = 250;

  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: '$property must be true or false' })
  CACHE_REQUIRED_FOR_READINESS: boolean = false;

  @IsOptional()
  @IsIn(CACHE_SENSITIVE_GUARD_MODES, {
    message: `$property must be one of: ${CACHE_SENSITIVE_GUARD_MODES.join(', ')}`,
  })
  CACHE_SENSITIVE_GUARD: CacheSensitiveGuard = 'warn';

  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: '$property must be true or false' })
  CACHE_L1: boolean = true;

  @IntegerVariable(1)
  CACHE_L1_MAX_ENTRIES: number = 10_000;

  /** Whether cached JSON bodies from 1 KiB are stored gzipped and sent so to clients that accept gzip. */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: '$property must be true or false' })
  CACHE_HTTP_GZIP: boolean = true;

  /** Milliseconds (0: off) an expired entry may be served while PostgreSQL fails. */
  @DurationVariable(MAX_GRACE_MS, '24d')
  CACHE_GRACE: number = 600_000;

  /**
   * Milliseconds (0: off) a read waits for PostgreSQL before an entry in
   * its grace is served; unset, see `cacheGraceSettings`.
   */
  @DurationVariable(MAX_TIMEOUT_MS, '1h')
  CACHE_SOFT_TIMEOUT?: number;

  @IntegerVariable(0)
  SHUTDOWN_READY_DELAY_MS: number = 1000;

  @IntegerVariable(0)
  SHUTDOWN_DRAIN_MS: number = 10_000;

  @IsOptional()
  @IsString()
  @MinLength(1)
  EMBEDDED_PG_DIR: string = '.data/postgres';

  /** `production` never starts the embedded PostgreSQL (a dev dependency). */
  @IsOptional()
  @IsString()
  NODE_ENV?: string;

  @IntegerVariable(1)
  BODY_LIMIT_BYTES: number = 1024 * 1024;

  @IsOptional()
  @IsIn(LOG_LEVELS, {
    message: `$property must be one of: ${LOG_LEVELS.join(', ')}`,
  })
  LOG_LEVEL: LogLevel = 'log';

  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: '$property must be true or false' })
  METRICS_ENABLED: boolean = true;
}

/** Every variable the API reads; nothing else in the environment is looked at. */
export const ENVIRONMENT_VARIABLES: readonly (keyof EnvironmentVariables)[] = [
  'PORT',
  'DATABASE_URL',
  'DB_HOST',
  'DB_PORT',
  'DB_USER',
  'DB_PASSWORD',
  'DB_NAME',
  'DB_CONNECT_TIMEOUT_MS',
  'DB_QUERY_TIMEOUT_MS',
  'DB_STATEMENT_TIMEOUT_MS',
  'DB_TRANSACTION_TIMEOUT_MS',
  'DB_RETRY_AFTER_SECONDS',
  'REDIS_URL',
  'REDIS_HOST',
  'REDIS_PORT',
  'REDIS_PASSWORD',
  'REDIS_DB',
  'REDIS_DEFAULT_TTL',
  'REDIS_KEY_PREFIX',
  'REDIS_COMMAND_TIMEOUT_MS',
  'CACHE_REQUIRED_FOR_READINESS',
  'CACHE_SENSITIVE_GUARD',
  'CACHE_L1',
  'CACHE_L1_MAX_ENTRIES',
  'CACHE_HTTP_GZIP',
  'CACHE_GRACE',
  'CACHE_SOFT_TIMEOUT',
  'SHUTDOWN_READY_DELAY_MS',
  'SHUTDOWN_DRAIN_MS',
  'EMBEDDED_PG_DIR',
  'NODE_ENV',
  'BODY_LIMIT_BYTES',
  'LOG_LEVEL',
  'METRICS_ENABLED',
];

function collectProblems(errors: readonly ValidationError[]): string[] {
  return errors.flatMap((error) => {
    const messages = Object.values(error.constraints ?? {});
    return messages.length > 0
      ? [messages[0]]
      : [`${error.property} is invalid`];
  });
}

/**
 * Validates and parses the environment.
 *
 * @throws ConfigValidationError naming every invalid variable.
 * @example
 * const env = validateEnvironment(process.env);
 * env.REDIS_PORT; // 6379
 */
export function validateEnvironment(
  raw: Record<string, unknown>,
): EnvironmentVariables {
  const picked: Record<string, unknown> = {};
  for (const name of ENVIRONMENT_VARIABLES) {
    const value = raw[name];
    if (value !== undefined && value !== null && value !== '') {
      picked[name] = value;
    }
  }
  const env = plainToInstance(EnvironmentVariables, picked);
  const errors = validateSync(env, { stopAtFirstError: true });
  if (errors.length > 0) {
    throw new ConfigValidationError(collectProblems(errors));
  }
  return env;
}
