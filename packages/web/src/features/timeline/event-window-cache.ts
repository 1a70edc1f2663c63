import type { TraceEvent } from '../../api/types';

export type FetchEvents = (offset: number, limit: number) => Promise<TraceEvent[]>;

/**
 * The events of one trace, loaded in fixed windows as the timeline needs them. Windows far from the
 * view are dropped past `maxPages` (least recently needed first) so a 100,000-event trace scrolled end
 * to end keeps a bounded memory; a dropped window is fetched again when it comes back into view.
 */
export class EventWindowCache {
  private readonly pages = new Map<number, TraceEvent[]>();
  private readonly inflight = new Set<number>();
  private readonly failed = new Map<number, string>();
  private readonly listeners = new Set<() => void>();
  private pinned = false;
  /** Changes on every load, failure or retry (what React's external-store hook compares). */
  version = 0;

  constructor(
    readonly count: number,
    private readonly fetchEvents: FetchEvents,
    readonly pageSize = 500,
    private readonly maxPages = 60,
  ) {}

  /** Events already at hand (a server that sent the whole trace): kept for good, never refetched. */
  seed(events: readonly TraceEvent[]): void {
    for (let start = 0; start < events.length; start += this.pageSize) {
      this.pages.set(start / this.pageSize, events.slice(start, start + this.pageSize));
    }
    this.pinned = true;
    this.emit();
  }

  get(index: number): TraceEvent | undefined {
    return this.pages.get(Math.floor(index / this.pageSize))?.[index % this.pageSize];
  }

  errorAt(index: number): string | undefined {
    return this.failed.get(Math.floor(index / this.pageSize));
  }

  /** Makes sure rows `from..to` (inclusive) are loaded or loading. */
  ensure(from: number, to: number): void {
    if (this.count === 0) return;
    const first = Math.max(0, Math.floor(from / this.pageSize));
    const last = Math.min(Math.floor((this.count - 1) / this.pageSize), Math.floor(Math.max(from, to) / this.pageSize));
    for (let page = first; page <= last; page++) {
      const events = this.pages.get(page);
      if (events) {
        // Re-insert to mark as recently needed.
        this.pages.delete(page);
        this.pages.set(page, events);
      } else if (!this.inflight.has(page) && !this.failed.has(page)) {
        void this.load(page);
      }
    }
  }

  retry(index: number): void {
    this.failed.delete(Math.floor(index / this.pageSize));
    this.ensure(index, index);
    this.emit();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async load(page: number): Promise<void> {
    this.inflight.add(page);
    try {
      const offset = page * this.pageSize;
      const events = await this.fetchEvents(offset, Math.min(this.pageSize, this.count - offset));
      this.pages.set(page, events);
      this.evict(page);
    } catch (error) {
      this.failed.set(page, error instanceof Error ? error.message : String(error));
    } finally {
      this.inflight.delete(page);
      this.emit();
    }
  }

  private evict(keep: number): void {
    if (this.pinned) return;
    for (const page of this.pages.keys()) {
      if (this.pages.size <= this.maxPages) break;
      if (page !== keep) this.pages.delete(page);
    }
  }

  private emit(): void {
    this.version++;
    for (const listener of this.listeners) listener();
  }
}
