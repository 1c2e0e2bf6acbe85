import { parameterNames } from './parameter-names.js';

// the methods are read for their source, never called
/* oxlint-disable typescript/unbound-method */
describe('parameterNames', () => {
  it('reads plain, defaulted and typed-away parameters', () => {
    class S {
      async a(id: string, page = 1, opts = { x: [1, 2] }) {
        return [id, page, opts];
      }
      async b({ id }: { id: string }, ...rest: unknown[]) {
        return [id, rest];
      }
      async c(/* comment, with comma */ first: string) {
        return first;
      }
    }
    expect(parameterNames(S.prototype.a)).toEqual(['id', 'page', 'opts']);
    expect(parameterNames(S.prototype.b)).toEqual([undefined, undefined]);
    expect(parameterNames(S.prototype.c)).toEqual(['first']);
    expect(parameterNames(async () => 1)).toEqual([]);
  });
});
