import type { Check, Finding, TraceEvent } from '../../api/types';
import { PatternBadge } from '../../ui/badges';
import { CopyButton } from '../../ui/CopyButton';
import { formatDuration, formatNumber, humanize } from '../../ui/format';
import { JsonViewer } from '../../ui/JsonViewer';
import { MarkedText } from '../../ui/MarkedText';
import { EventComments, FindingMarkControls } from './FindingFeedback';

const BASIS_TITLE: Record<NonNullable<Finding['basis']>, string> = {
  expectation: 'Rests on a failed check of what the scenario expects',
  evidence: 'Rests on mechanical evidence in the trace',
  heuristic: 'A reading of the wording: a hint, never fails a case',
};

export function FindingNote({ finding }: { finding: Finding }) {
  return (
    <div className={`finding-note sev-${finding.severity}`} data-finding={finding.pattern}>
      <PatternBadge pattern={finding.pattern} severity={finding.severity} />
      {finding.basis && (
        <span className={`basis-badge basis-${finding.basis}`} title={BASIS_TITLE[finding.basis]}>
          {finding.basis === 'heuristic' ? 'hint' : finding.basis}
        </span>
      )}
      <span className="finding-meta">
        {finding.severity} · {humanize(finding.category)}
      </span>
      <p>{finding.summary}</p>
    </div>
  );
}

/** Everything an event holds, shown when its row is expanded. */
export function EventDetails({
  event,
  index,
  findings,
  checks,
}: {
  event: TraceEvent;
  index: number;
  findings: Finding[];
  checks: Check[];
}) {
  return (
    <div className="event-details" data-testid="event-details">
      {findings.map((finding, i) => (
        <div key={`f${i}`}>
          <FindingNote finding={finding} />
          <FindingMarkControls finding={finding} />
        </div>
      ))}
      {checks.map((check, i) => (
        <div key={`c${i}`} className="check-note">
          <span className="badge badge-failed">{humanize(check.kind)}</span> {check.message}
        </div>
      ))}
      {event.truncated && (
        <p className="truncated-note">
          <span className="badge badge-truncated">truncated</span> This event was {formatNumber(event.truncated.original_bytes)} bytes;
          Stepwise cut {event.truncated.paths.length ? event.truncated.paths.map((p) => <code key={p}>{p}</code>) : 'its largest strings'}{' '}
          to keep it under the limit.
        </p>
      )}
      <Body event={event} />
      <div className="event-foot">
        <span className="muted small mono">
          #{index} · {event.timestamp}
          {event.id ? ` · id ${event.id}` : ''}
          {event.parent_id ? ` · parent ${event.parent_id}` : ''}
        </span>
        <CopyButton text={() => `${window.location.origin}${window.location.pathname}#event-${index}`} label="Copy link" />
      </div>
      <EventComments index={index} />
      <details className="raw-event">
        <summary>Raw event</summary>
        <JsonViewer value={event} openDepth={1} />
      </details>
    </div>
  );
}

function TextBlock({ label, text }: { label: string; text: unknown }) {
  return (
    <div className="text-block">
      <div className="field-label">{label}</div>
      <div className="prose">{typeof text === 'string' ? <MarkedText text={text} /> : <code>{JSON.stringify(text)}</code>}</div>
    </div>
  );
}

function Body({ event }: { event: TraceEvent }) {
  const d = event.data;
  switch (event.type) {
    case 'user_input':
      return <TextBlock label="Message" text={d.message} />;
    case 'agent_reasoning':
      return <TextBlock label="Reasoning" text={d.text} />;
    case 'agent_response':
      return (
        <>
          <TextBlock label="Response" text={d.message} />
          {typeof d.tokens_used === 'number' && <p className="muted small">{formatNumber(d.tokens_used)} tokens</p>}
        </>
      );
    case 'tool_call':
      return (
        <>
          <p className="tool-line">
            <code className="strong">{String(d.tool)}</code>
            {typeof d.duration_ms === 'number' && <span className="muted"> · {formatDuration(d.duration_ms)}</span>}
            {typeof d.call_id === 'string' && <span className="muted"> · call {d.call_id}</span>}
          </p>
          <div className="json-pair">
            <JsonViewer label="Parameters" value={d.parameters ?? {}} />
            {'result' in d ? <JsonViewer label="Result" value={d.result} /> : <p className="muted">No result was recorded.</p>}
          </div>
        </>
      );
    case 'tool_error':
      return (
        <>
          <p className="tool-line">
            <code className="strong">{String(d.tool)}</code> failed with <strong>{String(d.error_type)}</strong>
            {typeof d.duration_ms === 'number' && <span className="muted"> · {formatDuration(d.duration_ms)}</span>}
          </p>
          <TextBlock label="Error message" text={d.message} />
          {d.parameters !== undefined && <JsonViewer label="Parameters" value={d.parameters} />}
        </>
      );
    case 'metadata':
      return <JsonViewer label="Metadata" value={d} />;
    case 'custom':
      return <JsonViewer label={`Custom event: ${String(d.name)}`} value={d} />;
  }
}
