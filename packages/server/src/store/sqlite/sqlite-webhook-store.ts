import type Database from 'better-sqlite3';
import type { DeliveryUpdate, WebhookDelivery, WebhookSettings, WebhookStore } from '../webhook-store.js';

/** WebhookStore over the same SQLite database as the traces (see SqliteTraceStore). */
export class SqliteWebhookStore implements WebhookStore {
  constructor(private readonly db: Database.Database) {}

  async getWebhook(workspaceId: string): Promise<WebhookSettings | null> {
    const row = this.db
      .prepare<[string], WebhookSettings>('SELECT url, format, created_at, updated_at FROM webhooks WHERE workspace_id = ?')
      .get(workspaceId);
    return row ?? null;
  }

  async putWebhook(workspaceId: string, settings: { url: string; format: 'json' | 'slack' }, now: string): Promise<WebhookSettings> {
    this.db
      .prepare(
        `INSERT INTO webhooks (workspace_id, url, format, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (workspace_id) DO UPDATE SET url = excluded.url, format = excluded.format, updated_at = excluded.updated_at`,
      )
      .run(workspaceId, settings.url, settings.format, now, now);
    return (await this.getWebhook(workspaceId))!;
  }

  async deleteWebhook(workspaceId: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM webhooks WHERE workspace_id = ?').run(workspaceId).changes > 0;
  }

  async createDelivery(workspaceId: string, d: WebhookDelivery): Promise<boolean> {
    const result = this.db
      .prepare(
        `INSERT OR IGNORE INTO webhook_deliveries (workspace_id, id, run_id, baseline_run_id, format, status, attempts,
           last_status_code, last_error, reason, created_at, updated_at)
         VALUES (@workspace_id, @id, @run_id, @baseline_run_id, @format, @status, @attempts, @last_status_code, @last_error,
           @reason, @created_at, @updated_at)`,
      )
      .run({ workspace_id: workspaceId, ...d });
    return result.changes > 0;
  }

  async updateDelivery(workspaceId: string, id: string, u: DeliveryUpdate): Promise<void> {
    this.db
      .prepare(
        `UPDATE webhook_deliveries SET status = @status, attempts = @attempts, last_status_code = @last_status_code,
           last_error = @last_error, updated_at = @updated_at WHERE workspace_id = @workspace_id AND id = @id`,
      )
      .run({ workspace_id: workspaceId, id, ...u });
  }

  async listDeliveries(workspaceId: string, limit: number): Promise<WebhookDelivery[]> {
    return this.db
      .prepare<[string, number], WebhookDelivery>(
        `SELECT id, run_id, baseline_run_id, format, status, attempts, last_status_code, last_error, reason, created_at, updated_at
         FROM webhook_deliveries WHERE workspace_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`,
      )
      .all(workspaceId, limit);
  }
}
