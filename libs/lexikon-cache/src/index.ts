export const CACHE_HELLO = 'world';
