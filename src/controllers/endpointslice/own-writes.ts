// Which Service a slice controller is writing slices for right now. A store publishes a write's
// event synchronously, inside the write, so the handlers can tell the controller's own slice
// writes (which need no new sync) from anyone else's (which do), as upstream's
// EndpointSliceTracker does with the generations it wrote.
export class OwnWrites {
  private readonly writing = new Set<string>();

  /** Runs a write for `key` (`namespace/service`); events published meanwhile are the controller's own. */
  run<T>(key: string, write: () => T): T {
    this.writing.add(key);
    try {
      return write();
    } finally {
      this.writing.delete(key);
    }
  }

  has(key: string): boolean {
    return this.writing.has(key);
  }
}
