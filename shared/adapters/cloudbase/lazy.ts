/**
 * A port whose adapter is built on first use. Building an adapter may load an SDK (tens of ms) or
 * find a setting missing; neither should happen to a function that never uses that port.
 */
export const lazy = <T extends object>(make: () => T): T => {
  let instance: T | undefined;
  return new Proxy({} as T, {
    get(_target, prop) {
      instance ??= make();
      const v = Reflect.get(instance, prop, instance) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(instance) : v;
    },
  });
};
