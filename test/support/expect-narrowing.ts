/**
 * Jest's `expect` does not narrow TypeScript types as node:assert's `asserts` signatures did. Each
 * helper here is one `expect` that also tells the compiler what it proved, for tests that go on to
 * use the value (an element found, an error of a given class, a union's variant).
 */
import { expect } from '@jest/globals';

/** `expect(value).toBeTruthy()`; afterwards `value` is known to be truthy (not undefined or null). */
export function expectTruthy(value: unknown): asserts value {
  expect(value).toBeTruthy();
}

/** `expect(value).toBeInstanceOf(type)`; afterwards `value` is a `T`. */
export function expectInstanceOf<T>(value: unknown, type: abstract new (...args: never[]) => T): asserts value is T {
  expect(value).toBeInstanceOf(type);
}

/** `expect(actual).toBe(expected)`; afterwards `actual` has `expected`'s type (a union's discriminant). */
export function expectToBe<T>(actual: unknown, expected: T): asserts actual is T {
  expect(actual).toBe(expected);
}
