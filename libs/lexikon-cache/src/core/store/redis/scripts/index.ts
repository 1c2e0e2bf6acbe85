import type { StoreScript } from './entry-scripts.js';
import {
  EXTEND,
  FILL,
  FILL_STAMPED,
  INCREMENT,
  KEPT,
  LEASE_IF_UNCHANGED,
  LEASE_STAMP,
  READ,
  READ_MANY,
  RELEASE,
  WRITE_MANY,
  SET_IF_UNCHANGED,
  WRITE_TAGGED,
} from './entry-scripts.js';
import { BUMP, TAG_CHECK, TAGS } from './tag-scripts.js';
import { BATCH } from './batch-script.js';

export * from './entry-scripts.js';
export { BUMP, TAG_CHECK, TAGS } from './tag-scripts.js';
export { BATCH } from './batch-script.js';

export const ALL_SCRIPTS: readonly StoreScript[] = [
  READ,
  FILL,
  FILL_STAMPED,
  RELEASE,
  EXTEND,
  LEASE_IF_UNCHANGED,
  LEASE_STAMP,
  KEPT,
  SET_IF_UNCHANGED,
  WRITE_TAGGED,
  READ_MANY,
  WRITE_MANY,
  INCREMENT,
  BUMP,
  TAGS,
  TAG_CHECK,
  BATCH,
];
