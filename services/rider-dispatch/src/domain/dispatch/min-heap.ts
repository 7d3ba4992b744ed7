/**
 * Binary min-heap of (key, item) pairs on growable typed arrays; equal keys pop the smaller item first
 * so the solver's choices, and therefore the engine's decisions, are deterministic.
 */
export class MinHeap {
  private keys = new Float64Array(64);
  private items = new Int32Array(64);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Smallest key; the heap must not be empty. */
  peekKey(): number {
    return this.keys[0]!;
  }

  clear(): void {
    this.count = 0;
  }

  push(key: number, item: number): void {
    if (this.count === this.keys.length) {
      const keys = new Float64Array(this.count * 2);
      keys.set(this.keys);
      this.keys = keys;
      const items = new Int32Array(this.count * 2);
      items.set(this.items);
      this.items = items;
    }
    let i = this.count++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(key, item, this.keys[parent]!, this.items[parent]!)) break;
      this.keys[i] = this.keys[parent]!;
      this.items[i] = this.items[parent]!;
      i = parent;
    }
    this.keys[i] = key;
    this.items[i] = item;
  }

  /** Removes the smallest pair and returns its item; the heap must not be empty. */
  popItem(): number {
    const top = this.items[0]!;
    const last = --this.count;
    const key = this.keys[last]!;
    const item = this.items[last]!;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= last) break;
      if (
        child + 1 < last &&
        this.less(this.keys[child + 1]!, this.items[child + 1]!, this.keys[child]!, this.items[child]!)
      ) {
        child += 1;
      }
      if (!this.less(this.keys[child]!, this.items[child]!, key, item)) break;
      this.keys[i] = this.keys[child]!;
      this.items[i] = this.items[child]!;
      i = child;
    }
    this.keys[i] = key;
    this.items[i] = item;
    return top;
  }

  private less(keyA: number, itemA: number, keyB: number, itemB: number): boolean {
    return keyA < keyB || (keyA === keyB && itemA < itemB);
  }
}
