import { StepwiseError } from '../errors.js';
import type { Trace } from '../trace/schema.js';
import { addMessages } from './openai-messages.js';
import { contentText, isRecord, TraceBuilder, type ImportOptions } from './trace-builder.js';

const FINISH = 'Finish';
// ToolBench's system prompt tells the agent to say exactly this when it abandons a chain.
const GIVE_UP_TEXT = 'I give up and restart.';

/**
 * Imports a ToolBench answer file (`{ win, answer_generation: { query, function, finish_type,
 * train_messages } }`). The last chain of `train_messages` is the executed path; files without it
 * fall back to the last branch of the search `tree`. The `Finish` call becomes the
 * `agent_response` (`final_answer`, or "I give up and restart." for give-up), `function` definitions
 * become `tools_offered` (without `Finish`), and `finish_type`, `win` and `total_tokens` go to metadata.
 *
 * @example importToolBench(JSON.parse(text), { scenario_id: 'G1-10', agent_name: 'toolbench', timestamp: '2023-07-01T00:00:00Z' })
 */
export function importToolBench(json: unknown, opts: ImportOptions): Trace {
  if (!isRecord(json) || !isRecord(json.answer_generation)) {
    throw new StepwiseError('invalid_request', 'not a ToolBench answer file: answer_generation is missing');
  }
  const answer = json.answer_generation;
  const offered = Array.isArray(answer.function)
    ? answer.function.flatMap((f) => (isRecord(f) && typeof f.name === 'string' && f.name !== FINISH ? [f.name] : []))
    : [];
  const builder = new TraceBuilder();
  const chains = Array.isArray(answer.train_messages) ? answer.train_messages : [];
  const last = chains[chains.length - 1];
  let source: 'train_messages' | 'tree';
  const hooks = { finishTool: FINISH, finishText: finishAnswer, leaveSystemOut: true };
  if (Array.isArray(last) && last.length > 0) {
    source = 'train_messages';
    addMessages(builder, last, hooks);
  } else {
    source = 'tree';
    builder.user(typeof answer.query === 'string' ? answer.query : '');
    addTreeBranch(builder, isRecord(json.tree) ? json.tree.tree : undefined);
  }
  const meta: Record<string, unknown> = {};
  if (typeof answer.total_tokens === 'number') meta.tokens = { total: answer.total_tokens };
  if (typeof answer.finish_type === 'string') meta.finish_type = answer.finish_type;
  if (typeof json.win === 'boolean') meta.win = json.win;
  if (Object.keys(meta).length > 0) builder.metadata(meta);
  const options: ImportOptions = { ...opts, tools_offered: opts.tools_offered ?? offered };
  const traceMeta: Record<string, unknown> = { import_format: 'toolbench', import_source: source };
  if (typeof answer.finish_type === 'string') traceMeta.finish_type = answer.finish_type;
  if (typeof json.win === 'boolean') traceMeta.win = json.win;
  return builder.build(options, traceMeta);
}

function finishAnswer(args: Record<string, unknown>): string {
  if (typeof args.final_answer === 'string' && args.final_answer.trim() !== '') return args.final_answer;
  return typeof args.return_type === 'string' && args.return_type.startsWith('give_up') ? GIVE_UP_TEXT : '';
}

// The search tree alternates Thought / Action (tool name) / Action Input (arguments + observation)
// nodes. The last child at each level is the branch explored last.
function addTreeBranch(builder: TraceBuilder, root: unknown): void {
  let node = root;
  let pendingTool: string | undefined;
  for (let depth = 0; isRecord(node) && depth < 10_000; depth++) {
    const type = node.node_type;
    const description = typeof node.description === 'string' ? node.description : '';
    if (type === 'Thought') builder.reasoning(description);
    else if (type === 'Action') pendingTool = description;
    else if (type === 'Action Input' && pendingTool !== undefined) {
      if (pendingTool === FINISH) {
        let args: Record<string, unknown> = {};
        try {
          const parsed = JSON.parse(description) as unknown;
          if (isRecord(parsed)) args = parsed;
        } catch {
          args = { final_answer: description };
        }
        builder.response(finishAnswer(args));
      } else {
        builder.call(pendingTool, description);
        if (Object.hasOwn(node, 'observation')) builder.result(contentText(node.observation), { name: pendingTool });
      }
      pendingTool = undefined;
    }
    const children: unknown[] = Array.isArray(node.children) ? node.children : [];
    node = children[children.length - 1];
  }
}
