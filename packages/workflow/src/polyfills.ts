// Node 20 has no Promise.withResolvers (Node 22 does); aws-local-stepfunctions 3, which runs every compiled
// state machine locally (the twin and the tests), needs it. Import once: `@lakepipe/workflow/polyfills`.
if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>() {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

export {};
