import type { EventType, TraceEvent } from '../../api/types';

export const EVENT_LABELS: Record<EventType, string> = {
  user_input: 'User input',
  agent_reasoning: 'Reasoning',
  tool_call: 'Tool call',
  tool_error: 'Tool error',
  agent_response: 'Response',
  metadata: 'Metadata',
  custom: 'Custom',
};

const ICON_PATHS: Record<EventType, string> = {
  // a speech bubble
  user_input: 'M4 5h16v10H9l-5 4z',
  // a light bulb
  agent_reasoning: 'M12 3a6 6 0 0 0-3.5 10.9V16h7v-2.1A6 6 0 0 0 12 3zM9.5 19h5M10.5 21.5h3',
  // a wrench
  tool_call: 'M14.5 4.5a4 4 0 0 0-5 5L4 15l3 3 5.5-5.5a4 4 0 0 0 5-5l-2.5 2.5-2.5-.5-.5-2.5z',
  // a warning triangle
  tool_error: 'M12 3 2.5 20h19zM12 9.5v5M12 17.2v.3',
  // a reply arrow
  agent_response: 'M10 6 4 12l6 6M4 12h10a6 6 0 0 1 6 6',
  // an "i" in a circle
  metadata: 'M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM12 11v6M12 7.5v.3',
  // a diamond
  custom: 'M12 3l8 9-8 9-8-9z',
};

export function EventIcon({ type }: { type: EventType }) {
  return (
    <span className={`event-icon type-${type}`} aria-hidden="true">
      <svg
        viewBox="0 0 24 24"
        width="14"
        height="14"
        fill="none"
        stroke="currentColor"
        strokeWidth="2"
        strokeLinecap="round"
        strokeLinejoin="round"
      >
        <path d={ICON_PATHS[type]} />
      </svg>
    </span>
  );
}

const SUMMARY_CHARS = 220;

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > SUMMARY_CHARS ? `${flat.slice(0, SUMMARY_CHARS - 1)}…` : flat;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined ? '' : (JSON.stringify(value) ?? '');
}

/** One line that says what the event is, for the collapsed row. */
export function summarizeEvent(event: TraceEvent): string {
  const d = event.data;
  switch (event.type) {
    case 'user_input':
    case 'agent_response':
      return clip(str(d.message));
    case 'agent_reasoning':
      return clip(str(d.text));
    case 'tool_call':
      return clip(`${str(d.tool)}(${compactArgs(d.parameters)}) → ${resultGist(d.result)}`);
    case 'tool_error':
      return clip(`${str(d.tool)}(${compactArgs(d.parameters)}) ✗ ${str(d.error_type)}: ${str(d.message)}`);
    case 'metadata': {
      const parts: string[] = [];
      if (typeof d.model === 'string') parts.push(d.model);
      const tokens = d.tokens as { total?: number } | undefined;
      if (tokens?.total !== undefined) parts.push(`${tokens.total} tokens`);
      if (typeof d.cost_usd === 'number') parts.push(`$${d.cost_usd}`);
      if (typeof d.latency_ms === 'number') parts.push(`${d.latency_ms} ms`);
      return clip(parts.length ? parts.join(' · ') : str(d));
    }
    case 'custom':
      return clip(`${str(d.name)} ${compactArgs(Object.fromEntries(Object.entries(d).filter(([k]) => k !== 'name')))}`);
  }
}

function compactArgs(parameters: unknown): string {
  if (parameters === null || typeof parameters !== 'object') return '';
  return Object.entries(parameters as Record<string, unknown>)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? '')}`)
    .join(', ');
}

/** "0 articles", "3 items", "error", or a short JSON of the result. */
function resultGist(result: unknown): string {
  if (result === undefined) return 'no result';
  if (Array.isArray(result)) return `${result.length} item${result.length === 1 ? '' : 's'}`;
  if (result !== null && typeof result === 'object') {
    const entries = Object.entries(result as Record<string, unknown>);
    const list = entries.find(([, v]) => Array.isArray(v));
    if (entries.length === 1 && list && Array.isArray(list[1])) return `${list[1].length} ${list[0]}`;
  }
  return JSON.stringify(result) ?? '';
}

export function durationOf(event: TraceEvent): number | null {
  if (event.type !== 'tool_call' && event.type !== 'tool_error') return null;
  const ms = event.data.duration_ms;
  return typeof ms === 'number' ? ms : null;
}

const markerCache = new WeakMap<TraceEvent, { redacted: boolean; truncated: boolean }>();

/** Whether an event carries redaction placeholders or was truncated (computed once per event). */
export function eventMarkers(event: TraceEvent): { redacted: boolean; truncated: boolean } {
  let markers = markerCache.get(event);
  if (!markers) {
    const text = JSON.stringify(event.data) ?? '';
    markers = {
      redacted: /<[A-Z][A-Z0-9_]*_\d+>/.test(text),
      truncated: event.truncated !== undefined || /…\[truncated \d+ bytes\]/.test(text),
    };
    markerCache.set(event, markers);
  }
  return markers;
}
