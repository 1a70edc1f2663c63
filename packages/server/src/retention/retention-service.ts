import type { AccessStore } from '../store/access-store.js';

export const DEFAULT_RETENTION_DAYS = 30;
const DAY = 86_400_000;

export interface SweepReport {
  workspaceId: string;
  cutoff: string;
  traces: number;
  runs: number;
}

/**
 * Deletes traces older than each workspace's retention period (by the time they were stored), except
 * pinned ones, and audits every sweep. The clock is injected so tests can move time.
 */
export class RetentionService {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: AccessStore,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Sweeps every workspace, or only `workspaceId`. */
  async sweep(actor = 'system:retention', workspaceId?: string): Promise<SweepReport[]> {
    const now = this.clock();
    const reports: SweepReport[] = [];
    for (const workspace of await this.store.listWorkspaces()) {
      if (workspaceId !== undefined && workspace.id !== workspaceId) continue;
      const cutoff = new Date(now.getTime() - workspace.retention_days * DAY).toISOString();
      const { traces, runs } = await this.store.deleteTracesCreatedBefore(workspace.id, cutoff);
      await this.store.audit({
        workspaceId: workspace.id,
        at: now.toISOString(),
        actor,
        action: 'retention.sweep',
        details: { cutoff, traces_deleted: traces, runs_deleted: runs },
      });
      reports.push({ workspaceId: workspace.id, cutoff, traces, runs });
    }
    return reports;
  }

  /**
   * The periodic sweep: runs only if no server on the database is sweeping now (a lock) and none
   * swept in the last half interval, so N servers sharing a database sweep once per interval.
   * Returns whether this call swept.
   */
  async scheduledSweep(intervalMs = 3_600_000): Promise<boolean> {
    let swept = false;
    await this.store.runExclusive('retention', async () => {
      const now = this.clock();
      const notBefore = new Date(now.getTime() - intervalMs / 2).toISOString();
      if (!(await this.store.claimJob('retention', now.toISOString(), notBefore))) return;
      await this.sweep();
      swept = true;
    });
    return swept;
  }

  /** Sweeps now and then every `intervalMs` (default hourly) until stopped; never keeps the process alive. */
  start(intervalMs = 3_600_000, onError: (error: unknown) => void = () => {}, onDone: (swept: boolean) => void = () => {}): void {
    const run = () => void this.scheduledSweep(intervalMs).then(onDone, onError);
    run();
    this.timer = setInterval(run, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
