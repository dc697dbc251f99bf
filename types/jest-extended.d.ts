/**
 * The one jest-extended matcher the suites use (loaded for every project by `setupFilesAfterEnv:
 * ['jest-extended/all']`), typed on the `expect` that tests import from @jest/globals:
 * `expect.toSatisfy(predicate)`, mostly inside `toThrow(...)` to check a thrown error's fields.
 * Declared alone on purpose: jest-extended's own `CustomMatchers` extends `Record<string, any>`,
 * which would let a misspelt matcher type-check.
 */
import type { AsymmetricMatcher } from 'expect';

declare module 'expect' {
  interface AsymmetricMatchers {
    toSatisfy<E = unknown>(predicate: (value: E) => boolean): AsymmetricMatcher;
  }
  interface Matchers<R> {
    toSatisfy<E = unknown>(predicate: (value: E) => boolean): R;
  }
}
