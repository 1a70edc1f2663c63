import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { StepwiseError, type ValidationIssue } from '@stepwise/core';

/** A successful tool result: readable text for the model, the same facts as structured content. */
export function toolResult(text: string, structured: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text }], structuredContent: structured };
}

/** A tool error the model can act on: a message (which parameter, what was expected) and `isError`. */
export function toolError(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}

const HINTS: Partial<Record<StepwiseError['code'], string>> = {
  not_found: 'Use list_test_runs or search_traces to find ids that exist in this workspace.',
  unauthorized: 'The API key was refused: check the key given to `stepwise mcp --api-key` (or STEPWISE_API_KEY).',
  payload_too_large: 'Send fewer results per call: sync in batches, appending with test_run_id.',
  too_deep: 'Flatten deeply nested tool parameters or results before syncing.',
  rate_limited: 'Wait a moment, then call the tool again.',
};

/**
 * Turns anything a tool handler threw into a tool error. Stepwise errors keep their message, the
 * JSON paths of what failed and a hint; anything else is logged and answered without internals.
 */
export function errorResult(error: unknown, log: (line: string) => void): CallToolResult {
  if (error instanceof StepwiseError) return toolError(describeStepwiseError(error));
  log(`stepwise mcp: a tool failed unexpectedly: ${(error as Error)?.name ?? typeof error}\n${(error as Error)?.stack ?? ''}`);
  return toolError(
    'Stepwise failed to handle this call (an internal error, now logged on the server). Nothing was changed by it; try again, and report it if it keeps happening.',
  );
}

export function describeStepwiseError(error: StepwiseError): string {
  const lines = [`Error (${error.code}): ${error.message}.`.replace(/\.\.$/, '.')];
  const details = error.details as
    { issues?: ValidationIssue[]; rejected?: Array<{ index: number; errors: ValidationIssue[] }> } | undefined;
  for (const issue of details?.issues ?? []) lines.push(`- ${issue.path}: ${issue.message}`);
  for (const rejected of details?.rejected ?? []) {
    lines.push(`Result ${rejected.index} was rejected:`);
    for (const issue of rejected.errors) lines.push(`  - ${issue.path}: ${issue.message}`);
  }
  const hint = HINTS[error.code];
  if (hint) lines.push(hint);
  return lines.join('\n');
}
