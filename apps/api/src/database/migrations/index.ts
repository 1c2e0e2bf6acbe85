import { InitialSchema1732464000000 } from './1732464000000-initial-schema.js';

/**
 * Every migration, oldest first. Listed explicitly (not globbed) so that the
 * bundler includes them.
 */
export const MIGRATIONS = [InitialSchema1732464000000];
