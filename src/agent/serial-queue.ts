/**
 * Runs tasks one at a time, in the order they were queued. The agent's engine is a single `Node`
 * whose operations must not interleave with the asynchronous commit of the previous one: an
 * admission decided while the last one is still being written would be decided on a state that
 * may never reach the disk.
 */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();
  private closedWith: Error | null = null;
  private waiting = 0;
  private readonly cancelled = new Set<() => void>();

  /** Tasks queued and not yet finished (the running one included). */
  get size(): number {
    return this.waiting;
  }

  /**
   * Queues `task`; resolves or rejects with its outcome. Once the queue is closed, a task that has
   * not started is rejected with the closing error and never runs.
   */
  run<T>(task: () => T | Promise<T>): Promise<T> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    this.waiting++;
    return new Promise<T>((resolve, reject) => {
      const cancel = () => reject(this.closedWith);
      this.cancelled.add(cancel);
      this.tail = this.tail.then(async () => {
        this.cancelled.delete(cancel);
        try {
          if (this.closedWith) reject(this.closedWith);
          else resolve(await task());
        } catch (err) {
          reject(err);
        } finally {
          this.waiting--;
        }
      });
    });
  }

  /**
   * Refuses new tasks and the queued ones that have not started (with `reason`), and resolves once
   * the task in progress, if any, has finished.
   */
  close(reason: Error): Promise<void> {
    if (!this.closedWith) {
      this.closedWith = reason;
      for (const cancel of this.cancelled) cancel();
      this.cancelled.clear();
    }
    return this.tail;
  }
}
