import { randomBytes } from 'node:crypto';
import {
  findingKey,
  StepwiseError,
  type EventComment,
  type Evaluation,
  type FindingFeedback,
  type FindingVerdict,
  type Redactor,
  type TraceFeedback,
} from '@stepwise/core';
import type { AccessService } from '../access/access-service.js';
import type { NewAuditEntry } from '../store/access-store.js';
import { PrivacyService } from './privacy-service.js';
import type { FeedbackFilter, FindingFeedbackItem, Page, TraceStore } from '../store/trace-store.js';

/** Who gives the feedback: the audit log's actor (`user:…`, `key:…`, `local`) in one workspace. */
export interface FeedbackActor {
  workspaceId: string;
  actor: string;
}

export interface FeedbackServiceDeps {
  store: TraceStore;
  audit: (entry: NewAuditEntry) => Promise<void>;
  /** Reasons and comments are free text: they pass the workspace's redaction rules like every trace. */
  redactorFor: (workspaceId: string) => Promise<Redactor>;
  clock?: () => Date;
}

export const MAX_FEEDBACK_TEXT = 4000;

/**
 * Feedback on findings ("right" or "wrong", with an optional reason) and comments on events. A
 * finding is named by `findingKey` (pattern + events), so feedback survives re-analysis that finds
 * the same thing. Every change is audited.
 */
export class FeedbackService {
  private readonly clock: () => Date;

  constructor(private readonly deps: FeedbackServiceDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  async markFinding(
    who: FeedbackActor,
    traceId: string,
    input: { finding_key: string; verdict: FindingVerdict; reason?: string | null },
  ): Promise<FindingFeedback> {
    const stored = await this.deps.store.getTrace(who.workspaceId, traceId, false);
    if (!stored) throw traceNotFound();
    const evaluation = stored.evaluation as Evaluation | null;
    const finding = evaluation?.findings.find((f) => findingKey(f) === input.finding_key);
    if (!evaluation || !finding) {
      const keys = (evaluation?.findings ?? []).map(findingKey);
      throw new StepwiseError(
        'not_found',
        `this trace has no finding ${input.finding_key}; its findings are: ${keys.join(', ') || 'none'}`,
        {
          issues: [{ path: 'finding_key', message: 'no such finding in the current analysis' }],
        },
      );
    }
    const reason = await this.cleanText(who.workspaceId, input.reason ?? null, 'reason');
    const now = this.clock().toISOString();
    const saved = await this.deps.store.putFindingFeedback(who.workspaceId, {
      traceId,
      findingKey: input.finding_key,
      pattern: finding.pattern,
      verdict: input.verdict,
      reason,
      analyzerVersion: evaluation.analyzer_version,
      actor: who.actor,
      now,
    });
    if (!saved) throw traceNotFound();
    await this.audit(who, 'finding.mark', traceId, { finding_key: input.finding_key, pattern: finding.pattern, verdict: input.verdict });
    return saved;
  }

  async clearFinding(who: FeedbackActor, traceId: string, key: string): Promise<void> {
    if (!(await this.deps.store.deleteFindingFeedback(who.workspaceId, traceId, key))) {
      throw new StepwiseError('not_found', 'no feedback on this finding of this trace');
    }
    await this.audit(who, 'finding.unmark', traceId, { finding_key: key });
  }

  async comment(who: FeedbackActor, traceId: string, input: { event_index: number; body: string }): Promise<EventComment> {
    const stored = await this.deps.store.getTrace(who.workspaceId, traceId, false);
    if (!stored) throw traceNotFound();
    if (input.event_index >= stored.summary.event_count) {
      throw new StepwiseError(
        'invalid_request',
        `event_index is ${input.event_index} but this trace has ${stored.summary.event_count} events`,
        {
          issues: [{ path: 'event_index', message: `must be below ${stored.summary.event_count}` }],
        },
      );
    }
    const body = await this.cleanText(who.workspaceId, input.body, 'body');
    if (body === null) throw new StepwiseError('invalid_request', 'a comment needs text', { issues: [{ path: 'body', message: 'empty' }] });
    const saved = await this.deps.store.addEventComment(who.workspaceId, {
      id: `cm_${randomBytes(12).toString('base64url')}`,
      traceId,
      eventIndex: input.event_index,
      body,
      actor: who.actor,
      now: this.clock().toISOString(),
    });
    if (!saved) throw traceNotFound();
    await this.audit(who, 'event.comment', traceId, { comment_id: saved.id, event_index: saved.event_index });
    return saved;
  }

  /** Deletes a comment (the route needs the `delete` permission, as deleting traces does). */
  async deleteComment(who: FeedbackActor, traceId: string, commentId: string): Promise<void> {
    const comment = await this.deps.store.deleteEventComment(who.workspaceId, traceId, commentId);
    if (!comment) throw new StepwiseError('not_found', 'no comment with this id on this trace');
    await this.audit(who, 'event.comment_delete', traceId, { comment_id: commentId, event_index: comment.event_index });
  }

  traceFeedback(workspaceId: string, traceId: string): Promise<TraceFeedback> {
    return this.deps.store.getTraceFeedback(workspaceId, traceId);
  }

  list(workspaceId: string, filter: FeedbackFilter): Promise<Page<FindingFeedbackItem>> {
    return this.deps.store.listFindingFeedback(workspaceId, filter);
  }

  private async cleanText(workspaceId: string, text: string | null, path: string): Promise<string | null> {
    const trimmed = text?.trim() ?? '';
    if (trimmed === '') return null;
    if (trimmed.length > MAX_FEEDBACK_TEXT) {
      throw new StepwiseError('invalid_request', `${path} is longer than ${MAX_FEEDBACK_TEXT} characters`, {
        issues: [{ path, message: `at most ${MAX_FEEDBACK_TEXT} characters` }],
      });
    }
    const { value } = (await this.deps.redactorFor(workspaceId)).redactValue(trimmed);
    return String(value);
  }

  private audit(who: FeedbackActor, action: string, traceId: string, details: Record<string, unknown>): Promise<void> {
    return this.deps.audit({
      workspaceId: who.workspaceId,
      at: this.clock().toISOString(),
      actor: who.actor,
      action,
      targetType: 'trace',
      targetId: traceId,
      details,
    });
  }
}

/** The feedback service over a store, auditing through the access store, redacting with the workspace's rules. */
export function feedbackServiceFor(deps: {
  store: TraceStore;
  access: AccessService;
  privacy?: PrivacyService | undefined;
}): FeedbackService {
  const privacy = deps.privacy ?? new PrivacyService(deps.access.store);
  return new FeedbackService({
    store: deps.store,
    audit: (entry) => deps.access.store.audit(entry),
    redactorFor: (ws) => privacy.redactorFor(ws),
  });
}

function traceNotFound(): StepwiseError {
  return new StepwiseError('not_found', 'no trace with this id in this workspace');
}
