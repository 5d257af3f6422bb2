/**
 * M4 downsampling: of each bucket of consecutive points keep the first, the last, the minimum and
 * the maximum. A line drawn through what is kept looks like the line through every point at the
 * same pixel width, and a one-step spike always survives. Pure, for Node and browsers.
 */

export interface Points {
  x: Float64Array | number[];
  y: Float64Array | number[];
}

/** Batch M4 over `length` points held as columns: at most 4 × `buckets` points, in order. */
export function m4(x: ArrayLike<number>, y: ArrayLike<number>, length: number, buckets: number): { x: number[]; y: number[] } {
  if (length <= buckets * 4) return { x: Array.from({ length }, (_, i) => x[i]!), y: Array.from({ length }, (_, i) => y[i]!) };
  const outX: number[] = [];
  const outY: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor((b * length) / buckets);
    const end = Math.floor(((b + 1) * length) / buckets);
    if (end <= start) continue;
    let minIndex = -1;
    let maxIndex = -1;
    for (let i = start; i < end; i++) {
      const v = y[i]!;
      if (Number.isNaN(v)) continue;
      if (minIndex === -1 || v < y[minIndex]!) minIndex = i;
      if (maxIndex === -1 || v > y[maxIndex]!) maxIndex = i;
    }
    for (const i of orderedUnique(start, minIndex, maxIndex, end - 1)) {
      outX.push(x[i]!);
      outY.push(y[i]!);
    }
  }
  return { x: outX, y: outY };
}

function orderedUnique(...indices: number[]): number[] {
  return [...new Set(indices.filter((i) => i >= 0))].sort((a, b) => a - b);
}

interface Bucket {
  firstX: number;
  firstY: number;
  lastX: number;
  lastY: number;
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  /** Index (in arrival order) of each kept point, to emit them in order. */
  firstI: number;
  lastI: number;
  minI: number;
  maxI: number;
  count: number;
}

/**
 * Streaming M4 with bounded memory, for live displays: points arrive one by one, buckets hold a
 * fixed number of consecutive points, and when there are twice `buckets` full buckets, neighbours
 * merge and the bucket width doubles. At any time {@link points} gives at most 4 × 2 × `buckets`
 * points in arrival order. O(1) amortized per point.
 */
export class StreamingM4 {
  private readonly finished: Bucket[] = [];
  private current: Bucket | null = null;
  private width = 1;
  private index = 0;

  constructor(private readonly buckets = 128) {}

  /** Points seen so far. */
  get count(): number {
    return this.index;
  }

  push(x: number, y: number): void {
    const i = this.index++;
    const bucket = this.current;
    if (bucket === null) {
      this.current = { firstX: x, firstY: y, lastX: x, lastY: y, minX: x, minY: y, maxX: x, maxY: y, firstI: i, lastI: i, minI: i, maxI: i, count: 1 };
    } else {
      bucket.lastX = x;
      bucket.lastY = y;
      bucket.lastI = i;
      // NaN never wins min or max, but a bucket that started with NaN takes the first number.
      if (y < bucket.minY || Number.isNaN(bucket.minY)) {
        bucket.minX = x;
        bucket.minY = y;
        bucket.minI = i;
      }
      if (y > bucket.maxY || Number.isNaN(bucket.maxY)) {
        bucket.maxX = x;
        bucket.maxY = y;
        bucket.maxI = i;
      }
      bucket.count++;
    }
    if (this.current!.count >= this.width) {
      this.finished.push(this.current!);
      this.current = null;
      if (this.finished.length >= this.buckets * 2) this.mergePairs();
    }
  }

  /** The kept points, in arrival order. */
  points(): { x: number[]; y: number[] } {
    const x: number[] = [];
    const y: number[] = [];
    const all = this.current ? [...this.finished, this.current] : this.finished;
    for (const b of all) {
      const kept: Array<[number, number, number]> = [
        [b.firstI, b.firstX, b.firstY],
        [b.minI, b.minX, b.minY],
        [b.maxI, b.maxX, b.maxY],
        [b.lastI, b.lastX, b.lastY],
      ];
      kept.sort((p, q) => p[0] - q[0]);
      let previous = -1;
      for (const [i, px, py] of kept) {
        if (i === previous) continue;
        previous = i;
        x.push(px);
        y.push(py);
      }
    }
    return { x, y };
  }

  private mergePairs(): void {
    const merged: Bucket[] = [];
    for (let k = 0; k < this.finished.length; k += 2) {
      const a = this.finished[k]!;
      const b = this.finished[k + 1];
      merged.push(b ? mergeBuckets(a, b) : a);
    }
    this.finished.length = 0;
    this.finished.push(...merged);
    this.width *= 2;
  }
}

function mergeBuckets(a: Bucket, b: Bucket): Bucket {
  const minFromB = b.minY < a.minY || (Number.isNaN(a.minY) && !Number.isNaN(b.minY));
  const maxFromB = b.maxY > a.maxY || (Number.isNaN(a.maxY) && !Number.isNaN(b.maxY));
  return {
    firstX: a.firstX,
    firstY: a.firstY,
    firstI: a.firstI,
    lastX: b.lastX,
    lastY: b.lastY,
    lastI: b.lastI,
    minX: minFromB ? b.minX : a.minX,
    minY: minFromB ? b.minY : a.minY,
    minI: minFromB ? b.minI : a.minI,
    maxX: maxFromB ? b.maxX : a.maxX,
    maxY: maxFromB ? b.maxY : a.maxY,
    maxI: maxFromB ? b.maxI : a.maxI,
    count: a.count + b.count,
  };
}
