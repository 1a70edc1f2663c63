import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { traceFormatJsonSchema } from '@stepwise/core';

export const TRACE_FORMAT_URI = 'stepwise://schema/trace-format';
export const RICH_TRACES_GUIDE_URI = 'stepwise://guide/rich-traces';

/** What to put in a synced result to get a trace worth reading. Written for a coding agent. */
export const RICH_TRACES_GUIDE = `# Getting rich traces from sync_results

A synced result becomes a trace. The more of the agent's run you send, the more Stepwise can show
and explain. Only \`scenario_id\`, \`user_message\` and \`agent_response\` are required; everything below
is what turns "it failed" into "it called search_kb with the right query, got zero results, and
then made an answer up".

## 1. Send every tool call, with parameters and results

\`\`\`json
{
  "scenario_id": "sc_refund_policy",
  "user_message": "What is your refund policy for digital products?",
  "agent_response": "Digital products can be refunded within 14 days of purchase.",
  "tools_called": [
    {
      "name": "search_knowledge_base",
      "parameters": { "query": "refund policy digital products" },
      "result": { "articles": [{ "title": "Refund Policy", "content": "Digital products ... 14 days ..." }] },
      "duration_ms": 120,
      "timestamp": "2026-03-13T14:30:00.450Z"
    }
  ],
  "passed": true
}
\`\`\`

- Keep the calls in the order they happened, repeats included: repeated identical calls are how a
  loop is detected.
- Send the raw \`result\`. An empty result followed by a confident answer is the hallucination
  pattern; without the result it cannot be seen.
- A failed call: \`"error": { "type": "timeout", "message": "search took longer than 5 s" }\`
  instead of \`result\`.
- \`timestamp\` and \`duration_ms\` per call put the trace on a real timeline.
- \`model\`, \`tokens\` (\`{ "input", "output", "total" }\`), \`duration_ms\` and \`cost_usd\` on the result
  become a metadata event.

## 2. Or send the full trace

If you record the run yourself, put it in \`trace\`: \`{ "timestamp", "events": [...] }\` with events
of type \`user_input\`, \`agent_reasoning\`, \`tool_call\`, \`tool_error\`, \`agent_response\`,
\`metadata\` and \`custom\` (your own events: \`{ "name": "...", ... }\`). Its events win over
\`tools_called\`; when both are present, \`tools_called\` is checked against the trace's calls. The JSON
Schema is the resource ${TRACE_FORMAT_URI}.

## 3. Say what was expected

\`expected\` lets Stepwise check the trace instead of trusting \`passed\`:

\`\`\`json
"expected": {
  "tools": [{ "name": "search_knowledge_base", "parameters": { "query": "refund" }, "match": "subset" }],
  "order": "in_order",
  "forbidden_tools": ["issue_refund"],
  "response_contains": ["14 days"]
}
\`\`\`

Checks report missing, extra and reordered tools and wrong parameters. A case you reported
\`passed\` whose checks fail is flagged as a passing failure.

## 4. Keep ids stable

Use the same \`scenario_id\` for the same test case in every run: it links a scenario's traces across
runs so they can be compared. Append to a run with \`test_run_id\`; stream cases as they finish with
\`create_empty: true\` first.

## Privacy

PII (emails, phone numbers, card numbers, secrets, …) is redacted before anything is stored, and
events over 10 KB have their largest strings truncated. You do not need to scrub results first.
`;

/** Registers the trace format's JSON Schema and the rich-traces guide as resources. */
export function registerResources(server: McpServer): void {
  server.registerResource(
    'trace-format',
    TRACE_FORMAT_URI,
    {
      title: 'Stepwise trace format (JSON Schema)',
      description: 'JSON Schema (draft 2020-12) of traces, their events, results for sync_results, and the sync reply.',
      mimeType: 'application/schema+json',
    },
    (uri) => ({
      contents: [{ uri: uri.href, mimeType: 'application/schema+json', text: JSON.stringify(traceFormatJsonSchema(), null, 2) }],
    }),
  );
  server.registerResource(
    'rich-traces-guide',
    RICH_TRACES_GUIDE_URI,
    {
      title: 'Guide: what to sync for rich traces',
      description:
        'What to put in a synced result (tools_called with parameters and results, or a full trace, plus expected) to get traces Stepwise can explain.',
      mimeType: 'text/markdown',
    },
    (uri) => ({ contents: [{ uri: uri.href, mimeType: 'text/markdown', text: RICH_TRACES_GUIDE }] }),
  );
}
