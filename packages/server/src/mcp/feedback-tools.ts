import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { FINDING_VERDICTS } from '@stepwise/core';
import { z } from 'zod';
import { formatTable } from '../presentation/format.js';
import { allowed, type ToolContext } from './tool-context.js';
import { errorResult, toolError, toolResult } from './tool-result.js';

const MarkFindingInput = z.object({
  trace_id: z.string().min(1, 'trace_id must not be empty').describe('The trace whose finding is marked (tr_…).'),
  finding_key: z
    .string()
    .min(1, 'finding_key must not be empty')
    .describe('The finding: its pattern and events as "pattern@i,j" (e.g. "hallucination@3"), as analyze_trace lists them.'),
  verdict: z
    .enum(FINDING_VERDICTS, { error: 'verdict must be right or wrong' })
    .describe('right: the finding is correct; wrong: a false alarm.'),
  reason: z.string().max(4000).optional().describe('Why, in a sentence (optional).'),
});

const CommentInput = z.object({
  trace_id: z.string().min(1, 'trace_id must not be empty').describe('The trace (tr_…).'),
  event_index: z.number().int().min(0, 'event_index must be 0 or more').describe('The event commented on (its index in the timeline).'),
  body: z.string().min(1, 'body must not be empty').max(4000).describe('The comment.'),
});

const ListInput = z.object({
  verdict: z
    .enum(FINDING_VERDICTS, { error: 'verdict must be right or wrong' })
    .default('wrong')
    .describe('wrong (default): the disputed findings; right: the confirmed ones.'),
  pattern: z.string().min(1).optional().describe('Only findings of this pattern.'),
  run: z.string().min(1).optional().describe('Only findings of this test run.'),
  limit: z.number().int().min(1).max(500).default(50).describe('How many (default 50).'),
  offset: z.number().int().min(0).default(0).describe('How many to skip (default 0).'),
});

/** Registers mark_finding, comment_on_event and list_finding_feedback. */
export function registerFeedbackTools(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'mark_finding',
    {
      title: 'Mark a finding right or wrong',
      description:
        'Record whether a finding of the analysis is right or a false alarm (wrong), with an optional reason. Wrong marks are counted as disputed per pattern in the runs list and listed by list_finding_feedback. The mark is kept while re-analysis finds the same thing at the same events, and is audited.',
      inputSchema: MarkFindingInput,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ trace_id, ...input }) => {
      if (!allowed(ctx, 'write')) return toolError(`your key's role (${ctx.role}) cannot give feedback; use a member key`);
      try {
        const saved = await ctx.backend.markFinding(trace_id, input);
        const why = saved.reason ? `: ${saved.reason}` : '';
        return toolResult(`Marked ${saved.finding_key} of ${trace_id} as ${saved.verdict}${why}.`, { feedback: saved });
      } catch (error) {
        return errorResult(error, ctx.log);
      }
    },
  );

  server.registerTool(
    'comment_on_event',
    {
      title: 'Comment on an event',
      description: 'Leave a comment on one event of a trace; it is shown on the timeline beside the event, and audited.',
      inputSchema: CommentInput,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    async ({ trace_id, ...input }) => {
      if (!allowed(ctx, 'write')) return toolError(`your key's role (${ctx.role}) cannot comment; use a member key`);
      try {
        const comment = await ctx.backend.commentOnEvent(trace_id, input);
        return toolResult(`Commented on event ${comment.event_index} of ${trace_id} (${comment.id}).`, { comment });
      } catch (error) {
        return errorResult(error, ctx.log);
      }
    },
  );

  server.registerTool(
    'list_finding_feedback',
    {
      title: 'List disputed findings',
      description:
        'List findings that members marked wrong (disputed; the default) or right, newest first, with the trace, scenario, pattern, who marked it and why: the raw material for improving the detectors.',
      inputSchema: ListInput,
      outputSchema: z.looseObject({ feedback: z.array(z.looseObject({})), total: z.number().nullable() }),
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async (args) => {
      try {
        const page = await ctx.backend.listFeedback(args);
        if (page.feedback.length === 0) return toolResult(`No findings marked ${args.verdict}.`, { ...page });
        const table = formatTable(
          ['TRACE', 'SCENARIO', 'FINDING', 'BY', 'REASON'],
          page.feedback.map((f) => [f.trace_id, f.scenario_id, f.finding_key, f.actor, f.reason ?? '-']),
        );
        return toolResult(`${table}\n\n${page.feedback.length} of ${page.total ?? '?'} marked ${args.verdict}.`, { ...page });
      } catch (error) {
        return errorResult(error, ctx.log);
      }
    },
  );
}
