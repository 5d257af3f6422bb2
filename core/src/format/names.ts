/**
 * Records keyed by names people give: params, metrics, timers, tags, metadata, model tags. Names
 * are data, so `__proto__`, `constructor` and `toString` are keys like any other: these records
 * have no prototype (nothing is inherited, `record.toString` is undefined unless a run has it),
 * and keys are defined, never assigned (assigning `__proto__` would replace a prototype instead).
 * Pure: runs in Node and in the browser.
 */

/**
 * A record with no prototype holding `entries`, in order; a later entry for the same key wins.
 *
 * @example
 * const summary = nameRecord([['__proto__', 1], ['loss', 0.3]]);
 * Object.keys(summary); // ['__proto__', 'loss']
 */
export function nameRecord<T>(entries: Iterable<readonly [string, T]> = []): Record<string, T> {
  const record = Object.create(null) as Record<string, T>;
  for (const [key, value] of entries) setName(record, key, value);
  return record;
}

/** Sets `key` as an own, enumerable property of `target` (for `__proto__` too), replacing any value it had. */
export function setName<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** True when `target` itself has `key` (inherited properties never count). */
export function hasName(target: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(target, key);
}

/** The value `target` itself holds under `key`, or undefined: `nameValue({}, 'toString')` is undefined. */
export function nameValue<T>(target: Readonly<Record<string, T>>, key: string): T | undefined {
  return hasName(target, key) ? target[key] : undefined;
}

/** A copy of a record's own entries as a record with no prototype (the shape untrusted JSON gets after reading). */
export function copyNames<T>(source: Readonly<Record<string, T>>): Record<string, T> {
  return nameRecord(Object.entries(source));
}
