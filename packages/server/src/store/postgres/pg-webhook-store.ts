import type { DeliveryUpdate, WebhookDelivery, WebhookSettings, WebhookStore } from '../webhook-store.js';
import type { PgDatabase } from './pg-database.js';

const DELIVERY_COLUMNS =
  'id, run_id, baseline_run_id, format, status, attempts, last_status_code, last_error, reason, created_at, updated_at';

/** WebhookStore over the PostgreSQL database the traces live in (see PgTraceStore). */
export class PgWebhookStore implements WebhookStore {
  constructor(private readonly db: PgDatabase) {}

  getWebhook(workspaceId: string): Promise<WebhookSettings | null> {
    return this.db.one<WebhookSettings & Record<string, unknown>>(
      'SELECT url, format, created_at, updated_at FROM webhooks WHERE workspace_id = $1',
      [workspaceId],
    );
  }

  async putWebhook(workspaceId: string, settings: { url: string; format: 'json' | 'slack' }, now: string): Promise<WebhookSettings> {
    await this.db.run(
      `INSERT INTO webhooks (workspace_id, url, format, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
       ON CONFLICT (workspace_id) DO UPDATE SET url = excluded.url, format = excluded.format, updated_at = excluded.updated_at`,
      [workspaceId, settings.url, settings.format, now],
    );
    return (await this.getWebhook(workspaceId))!;
  }

  async deleteWebhook(workspaceId: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM webhooks WHERE workspace_id = $1', [workspaceId])) > 0;
  }

  async createDelivery(workspaceId: string, d: WebhookDelivery): Promise<boolean> {
    const inserted = await this.db.run(
      `INSERT INTO webhook_deliveries (workspace_id, ${DELIVERY_COLUMNS})
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING`,
      [
        workspaceId,
        d.id,
        d.run_id,
        d.baseline_run_id,
        d.format,
        d.status,
        d.attempts,
        d.last_status_code,
        d.last_error,
        d.reason,
        d.created_at,
        d.updated_at,
      ],
    );
    return inserted > 0;
  }

  async updateDelivery(workspaceId: string, id: string, u: DeliveryUpdate): Promise<void> {
    await this.db.run(
      `UPDATE webhook_deliveries SET status = $1, attempts = $2, last_status_code = $3, last_error = $4, updated_at = $5
       WHERE workspace_id = $6 AND id = $7`,
      [u.status, u.attempts, u.last_status_code, u.last_error, u.updated_at, workspaceId, id],
    );
  }

  listDeliveries(workspaceId: string, limit: number): Promise<WebhookDelivery[]> {
    return this.db.query<WebhookDelivery & Record<string, unknown>>(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE workspace_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
      [workspaceId, limit],
    );
  }
}
