import { z } from 'zod';
import { FINDING_VERDICTS, StepwiseError } from '@stepwise/core';
import { readJsonBody, workspaceOf, type AppDeps } from '../context.js';
import { limitParam, offsetParam, parseQuery } from '../query.js';
import { param, principalOf, type Router } from '../router.js';
import { parseBody } from '../body.js';
import type { FeedbackService } from '../../services/feedback-service.js';

const MarkBody = z.object({ verdict: z.enum(FINDING_VERDICTS), reason: z.string().max(4000).nullable().optional() });
const CommentBody = z.object({ event_index: z.number().int().min(0), body: z.string().min(1).max(4000) });
const FeedbackQuery = z.object({
  verdict: z.enum(FINDING_VERDICTS).optional(),
  pattern: z.string().min(1).optional(),
  run: z.string().min(1).optional(),
  agent: z.string().min(1).optional(),
  limit: limitParam(50),
  offset: offsetParam,
});

/** Feedback on findings (right / wrong, with a reason) and comments on events; every change audited. */
export function feedbackRoutes(r: Router, { store, pipeline, feedback }: AppDeps & { feedback: FeedbackService }): void {
  r.get('/api/v1/traces/:id/feedback', 'read', async (c) => {
    const id = param(c, 'id');
    if (!(await store.getTrace(workspaceOf(c), id, false))) throw new StepwiseError('not_found', 'no trace with this id in this workspace');
    return c.json(await feedback.traceFeedback(workspaceOf(c), id));
  });

  r.put('/api/v1/traces/:id/findings/:finding/feedback', 'write', async (c) => {
    const body = parseBody(MarkBody, await readJsonBody(c, pipeline));
    const saved = await feedback.markFinding(principalOf(c), param(c, 'id'), {
      finding_key: param(c, 'finding'),
      verdict: body.verdict,
      reason: body.reason ?? null,
    });
    return c.json({ feedback: saved });
  });

  r.delete('/api/v1/traces/:id/findings/:finding/feedback', 'write', async (c) => {
    await feedback.clearFinding(principalOf(c), param(c, 'id'), param(c, 'finding'));
    return c.json({ deleted: true });
  });

  r.post('/api/v1/traces/:id/comments', 'write', async (c) => {
    const body = parseBody(CommentBody, await readJsonBody(c, pipeline));
    return c.json({ comment: await feedback.comment(principalOf(c), param(c, 'id'), body) }, 201);
  });

  r.delete('/api/v1/traces/:id/comments/:comment', 'delete', async (c) => {
    await feedback.deleteComment(principalOf(c), param(c, 'id'), param(c, 'comment'));
    return c.json({ deleted: true });
  });

  r.get('/api/v1/feedback', 'read', async (c) => {
    const query = parseQuery(FeedbackQuery, c.req.query());
    const page = await feedback.list(workspaceOf(c), query);
    return c.json({ feedback: page.items, total: page.total ?? null, limit: query.limit, offset: query.offset });
  });
}
