/**
 * A WeakMap that also remembers the entry read or written last. The engine keeps tables per
 * machine (topology indexes, layouts, pools) and asks them of the same machine many times per
 * admission: one key comparison is cheaper than a weak-table lookup. It holds the last key
 * strongly, so one machine's tables outlive it until another key is used.
 */
export class RecentWeakMap<K extends object, V> {
  private readonly entries = new WeakMap<K, V>();
  private lastKey: K | null = null;
  private lastValue: V | undefined;

  get(key: K): V | undefined {
    if (key === this.lastKey) return this.lastValue;
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.lastKey = key;
      this.lastValue = value;
    }
    return value;
  }

  set(key: K, value: V): this {
    this.entries.set(key, value);
    this.lastKey = key;
    this.lastValue = value;
    return this;
  }
}
