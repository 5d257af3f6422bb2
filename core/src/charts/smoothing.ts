/**
 * Curve smoothing for the charts: TensorBoard's debiased exponential moving average, so a
 * smoothing slider means the same here as there. Pure.
 */

/**
 * The debiased exponential moving average of `values` with `weight` in [0, 1) (0 gives the values
 * back). Each finite value moves the average: `last = last * weight + (1 - weight) * v`, and the
 * result is `last / (1 - weight^n)` after `n` finite values, which removes the pull towards the
 * average's start at 0 (without it the first points of a curve would sit near 0). A non-finite
 * value (NaN, ±Infinity) is given back as it is and does not move the average, so one NaN does
 * not poison the rest of the curve. A curve whose finite values are all equal is given back as it
 * is (the division would otherwise add rounding noise to a flat line), as TensorBoard does.
 *
 * @example
 * emaSmooth([1, 2, 3], 0.5); // Float64Array [1, 1.6666…, 2.4285…]
 */
export function emaSmooth(values: ArrayLike<number>, weight: number): Float64Array {
  if (!(weight >= 0 && weight < 1)) throw new RangeError(`emaSmooth: the weight must be in [0, 1), got ${weight}`);
  const smoothed = Float64Array.from(values);
  if (weight === 0 || finiteValuesAreEqual(smoothed)) return smoothed;
  let last = 0;
  let accumulated = 0;
  for (let i = 0; i < smoothed.length; i++) {
    const value = smoothed[i]!;
    if (!Number.isFinite(value)) continue;
    last = last * weight + (1 - weight) * value;
    accumulated++;
    smoothed[i] = last / (1 - weight ** accumulated);
  }
  return smoothed;
}

/** True when the finite values (if any) are all the same number. */
function finiteValuesAreEqual(values: Float64Array): boolean {
  let first: number | undefined;
  for (const value of values) {
    if (!Number.isFinite(value)) continue;
    if (first === undefined) first = value;
    else if (value !== first) return false;
  }
  return true;
}
