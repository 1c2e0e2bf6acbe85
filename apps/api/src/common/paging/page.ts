/** One page of a list ordered by creation. */
export interface Page<T> {
  items: T[];
  page: number;
  limit: number;
  /** The number of items over all pages. */
  total: number;
}
