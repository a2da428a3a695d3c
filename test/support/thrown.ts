/** What `f` throws, or undefined when it returns (for asserting on the error's class and message). */
export function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}
