/**
 * The package ships two builds, ESM for `import` and CommonJS for `require`, and a
 * process can load both: a CommonJS app whose one ESM file imports the package, a test
 * runner that loads a file the other way, a library that depends on it. Each copy then
 * has its own module-level state and its own classes, and Nest's dependency injection
 * tells providers apart by class. What must be one per process (the `PreloadCollector`
 * class, which is a DI token, and the request → collector map) is kept on `globalThis`
 * under a registered symbol: the first copy to load creates it, the others find it.
 *
 * The `v1` in the key is the shape of what is shared: a release that changes it uses a
 * new key, so two copies of incompatible versions keep their own state instead of
 * sharing one they would misread.
 */
export function sharedAcrossCopies<T>(name: string, create: () => T): T {
  const key = Symbol.for(`nestjs-http2-preload.v1.${name}`);
  const holder = globalThis as unknown as Record<symbol, T | undefined>;
  let value = holder[key];
  if (value === undefined) {
    value = create();
    // Not enumerable and not writable: nothing else should see it or replace it.
    Object.defineProperty(globalThis, key, { value, enumerable: false, writable: false, configurable: false });
  }
  return value;
}
