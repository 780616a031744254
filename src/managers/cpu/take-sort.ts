/**
 * Stable ascending sort of `items[from, to)` by `key[item]`, in place. The allocators build every
 * list in ascending id order, so stability gives the kubelet's "ties by id".
 *
 * Sorted runs (equally free elements, the common case) cost one pass; short segments use
 * insertion sort; long ones with a small key range (free counts of cores) a counting sort.
 */
export function sortByCount(items: Int32Array, from: number, to: number, key: Int32Array): void {
  const n = to - from;
  if (n < 2) return;
  let sorted = true;
  let min = key[items[from]];
  let max = min;
  for (let i = from + 1; i < to; i++) {
    const k = key[items[i]];
    if (k < key[items[i - 1]]) sorted = false;
    if (k < min) min = k;
    else if (k > max) max = k;
  }
  if (sorted) return;
  const range = max - min + 1;
  if (range > 64 && n > 64) {
    const list = Array.from(items.subarray(from, to)).sort((a, b) => key[a] - key[b] || a - b);
    items.set(list, from);
    return;
  }
  if (n <= 16 || range > 64) {
    insertionSort(items, from, to, key);
    return;
  }
  countingSort(items, from, to, key, min, range);
}

function insertionSort(items: Int32Array, from: number, to: number, key: Int32Array): void {
  for (let i = from + 1; i < to; i++) {
    const e = items[i];
    const k = key[e];
    let j = i - 1;
    while (j >= from && key[items[j]] > k) {
      items[j + 1] = items[j];
      j--;
    }
    items[j + 1] = e;
  }
}

const bucketStart = new Int32Array(66);
let scratch = new Int32Array(64);

function countingSort(
  items: Int32Array,
  from: number,
  to: number,
  key: Int32Array,
  min: number,
  range: number,
): void {
  const n = to - from;
  if (scratch.length < n) scratch = new Int32Array(n * 2);
  bucketStart.fill(0, 0, range + 1);
  for (let i = from; i < to; i++) bucketStart[key[items[i]] - min + 1]++;
  for (let k = 1; k <= range; k++) bucketStart[k] += bucketStart[k - 1];
  for (let i = from; i < to; i++) {
    const e = items[i];
    scratch[bucketStart[key[e] - min]++] = e;
  }
  for (let i = 0; i < n; i++) items[from + i] = scratch[i];
}
