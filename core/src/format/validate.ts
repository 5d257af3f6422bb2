import { InvalidValueError } from '../errors.js';

/** Explains why a metric value cannot be stored; the hot path checks `typeof v === 'number'` first. */
export function invalidMetricValue(name: string, value: unknown): InvalidValueError {
  return new InvalidValueError(
    `Metric ${JSON.stringify(name)} is ${describeValue(value)}; metric values must be numbers ` +
      `(NaN and ±Infinity are kept). Store other values as params or metadata.`,
  );
}

export function isValidStep(step: unknown): step is number {
  return typeof step === 'number' && Number.isSafeInteger(step) && step >= 0;
}

export function invalidStep(step: unknown): InvalidValueError {
  return new InvalidValueError(
    `Step ${typeof step === 'bigint' ? `${step}n` : String(step)} is not allowed; steps are whole numbers from 0 to 2^53-1 (Number.MAX_SAFE_INTEGER).`,
  );
}

export function invalidMetricName(name: string): InvalidValueError {
  return new InvalidValueError(`Metric name ${JSON.stringify(name)} is empty; give every metric a name.`);
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'bigint':
      return `a BigInt (${value}n)`;
    case 'string':
      return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`;
    case 'boolean':
      return `a boolean (${value})`;
    case 'object':
      return 'an object';
    default:
      return `a ${typeof value}`;
  }
}
