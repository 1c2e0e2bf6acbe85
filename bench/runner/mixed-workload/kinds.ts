export interface Kind {
  readonly kind: string;
  /** Share among reads (reads) or among writes (writes). */
  readonly weight: number;
  readonly write: boolean;
}

/** The request mix: reads share 1 - writeShare, writes writeShare. */
export const KINDS: readonly Kind[] = [
  { kind: 'GET /terms/:id', weight: 0.35, write: false },
  { kind: 'GET /projects/:id', weight: 0.15, write: false },
  { kind: 'GET /projects/:id/terms', weight: 0.15, write: false },
  { kind: 'GET /users/:id', weight: 0.15, write: false },
  { kind: 'GET /users/me', weight: 0.1, write: false },
  { kind: 'GET /terms/search?q=', weight: 0.1, write: false },
  { kind: 'PATCH /terms/:id (name, by its creator)', weight: 0.6, write: true },
  {
    kind: 'PATCH /projects/:id (name, by its owner)',
    weight: 0.4,
    write: true,
  },
];
