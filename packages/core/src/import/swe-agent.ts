import { StepwiseError } from '../errors.js';
import type { Trace } from '../trace/schema.js';
import { contentText, isRecord, TraceBuilder, type ImportOptions } from './trace-builder.js';

/**
 * Imports a SWE-agent trajectory (`.traj`: `{ history: [...], info? }`). Function-calling runs use
 * OpenAI `tool_calls` with `role: "tool"` observations (matched by `tool_call_ids`). Older runs have
 * no `tool_calls`: each assistant message's `action` (a shell command) becomes a call of the
 * command's first word with `{ command }`, and the next `user` message is its observation. The first
 * user message is the task. SWE-agent ends with `submit`, so there is usually no `agent_response`;
 * `info.exit_status` and token counts go to metadata.
 *
 * @example importSweAgent(JSON.parse(text), { scenario_id: 'marshmallow-1867', agent_name: 'swe-agent', timestamp: '2024-05-01T00:00:00Z' })
 */
export function importSweAgent(json: unknown, opts: ImportOptions): Trace {
  if (!isRecord(json) || !Array.isArray(json.history)) {
    throw new StepwiseError('invalid_request', 'not a SWE-agent trajectory: history is missing');
  }
  const builder = new TraceBuilder();
  let awaitingObservation = false;
  for (const message of json.history) {
    if (!isRecord(message)) continue;
    const text = contentText(message.content);
    switch (message.role) {
      case 'user':
        // Without tool_calls, the observation of an action comes back as a user message.
        if (awaitingObservation) {
          builder.result(text, {});
          awaitingObservation = false;
        } else {
          builder.user(text);
        }
        break;
      case 'assistant': {
        const calls = Array.isArray(message.tool_calls) ? message.tool_calls.filter(isRecord) : [];
        const thought = typeof message.thought === 'string' ? message.thought : text;
        if (calls.length > 0) {
          builder.reasoning(thought);
          for (const call of calls) {
            const fn = isRecord(call.function) ? call.function : {};
            builder.call(
              typeof fn.name === 'string' ? fn.name : undefined,
              fn.arguments,
              typeof call.id === 'string' ? call.id : undefined,
            );
          }
        } else if (typeof message.action === 'string' && message.action.trim() !== '') {
          builder.reasoning(thought);
          const command = message.action.trim();
          builder.call(command.split(/\s+/)[0], { command });
          awaitingObservation = true;
        } else {
          builder.response(text);
        }
        break;
      }
      case 'tool': {
        const ids = Array.isArray(message.tool_call_ids) ? message.tool_call_ids : [];
        const id = typeof message.tool_call_id === 'string' ? message.tool_call_id : ids.find((x): x is string => typeof x === 'string');
        builder.result(text, id === undefined ? {} : { callId: id });
        break;
      }
      default:
        break;
    }
  }
  const info = isRecord(json.info) ? json.info : {};
  const meta: Record<string, unknown> = {};
  const stats = isRecord(info.model_stats) ? info.model_stats : {};
  const sent = typeof stats.tokens_sent === 'number' ? stats.tokens_sent : 0;
  const received = typeof stats.tokens_received === 'number' ? stats.tokens_received : 0;
  if (sent > 0 || received > 0) meta.tokens = { input: sent, output: received, total: sent + received };
  if (typeof stats.instance_cost === 'number' && stats.instance_cost > 0) meta.cost_usd = stats.instance_cost;
  if (typeof info.exit_status === 'string') meta.exit_status = info.exit_status;
  if (Object.keys(meta).length > 0) builder.metadata(meta);
  const traceMeta: Record<string, unknown> = { import_format: 'swe_agent' };
  if (typeof info.exit_status === 'string') traceMeta.exit_status = info.exit_status;
  return builder.build(opts, traceMeta);
}
