/** Where a workspace's regression webhook points, and in which format. */
export interface WebhookSettings {
  url: string;
  /** `json`: Stepwise's payload; `slack`: `{ text }` for a Slack (or compatible) incoming webhook. */
  format: 'json' | 'slack';
  created_at: string;
  updated_at: string;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One notification about one run: at most one per run, retried in place. */
export interface WebhookDelivery {
  id: string;
  run_id: string;
  baseline_run_id: string | null;
  format: 'json' | 'slack';
  status: DeliveryStatus;
  attempts: number;
  last_status_code: number | null;
  /** What went wrong on the last attempt, without the URL (it may hold a secret). */
  last_error: string | null;
  /** Why the run qualified, in a sentence. */
  reason: string;
  created_at: string;
  updated_at: string;
}

export type DeliveryUpdate = Pick<WebhookDelivery, 'status' | 'attempts' | 'last_status_code' | 'last_error' | 'updated_at'>;

/** Webhook settings and deliveries; every call is workspace-scoped. */
export interface WebhookStore {
  getWebhook(workspaceId: string): Promise<WebhookSettings | null>;
  putWebhook(workspaceId: string, settings: { url: string; format: 'json' | 'slack' }, now: string): Promise<WebhookSettings>;
  deleteWebhook(workspaceId: string): Promise<boolean>;
  /** Records a new delivery; false (and nothing stored) when the run already has one. */
  createDelivery(workspaceId: string, delivery: WebhookDelivery): Promise<boolean>;
  updateDelivery(workspaceId: string, id: string, update: DeliveryUpdate): Promise<void>;
  /** Newest first. */
  listDeliveries(workspaceId: string, limit: number): Promise<WebhookDelivery[]>;
}
