import { findingKey } from '@stepwise/core';
import { useState } from 'react';
import { api } from '../../api/endpoints';
import type { EventComment, Finding } from '../../api/types';
import { formatWhen } from '../../ui/format';
import { markOf, useTraceFeedback } from './feedback-context';

/** Says whether a finding is right or a false alarm; shows the current mark. */
export function FindingMarkControls({ finding }: { finding: Finding }) {
  const state = useTraceFeedback();
  const mark = markOf(state, finding);
  const key = findingKey(finding);
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const act = async (work: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
      await state.refresh();
      setAsking(false);
      setReason('');
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="finding-feedback" data-finding-key={key}>
      {mark && (
        <p className={`finding-mark mark-${mark.verdict}`} data-testid="finding-mark">
          {mark.verdict === 'wrong' ? '✗ Marked wrong' : '✓ Marked right'} by {mark.actor}
          {mark.reason ? `: ${mark.reason}` : ''} <span className="muted small">{formatWhen(mark.created_at)}</span>
        </p>
      )}
      {state.canWrite && !asking && (
        <div className="row small">
          <span className="muted">Is this finding right?</span>
          <button
            type="button"
            className="btn btn-small"
            disabled={busy || mark?.verdict === 'right'}
            onClick={() => void act(() => api.markFinding(state.traceId, key, 'right', null))}
          >
            Right
          </button>
          <button type="button" className="btn btn-small" disabled={busy} onClick={() => setAsking(true)}>
            Wrong…
          </button>
          {mark && (
            <button
              type="button"
              className="btn btn-link"
              disabled={busy}
              onClick={() => void act(() => api.unmarkFinding(state.traceId, key))}
            >
              Clear
            </button>
          )}
        </div>
      )}
      {asking && (
        <form
          className="feedback-form"
          onSubmit={(e) => {
            e.preventDefault();
            void act(() => api.markFinding(state.traceId, key, 'wrong', reason.trim() || null));
          }}
        >
          <input
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            placeholder="Why is it wrong? (optional)"
            aria-label={`Why the ${finding.pattern} finding is wrong`}
            maxLength={4000}
          />
          <button type="submit" className="btn btn-small btn-primary" disabled={busy}>
            Mark wrong
          </button>
          <button type="button" className="btn btn-small" onClick={() => setAsking(false)}>
            Cancel
          </button>
        </form>
      )}
      {error && <p className="error-text small">{error}</p>}
    </div>
  );
}

/** The comments on one event, and a box to add one. */
export function EventComments({ index }: { index: number }) {
  const state = useTraceFeedback();
  const comments: EventComment[] = state.commentsByEvent.get(index) ?? [];
  const [body, setBody] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    if (!body.trim()) return;
    setBusy(true);
    setError(null);
    try {
      await api.addComment(state.traceId, index, body.trim());
      setBody('');
      await state.refresh();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  if (comments.length === 0 && !state.canWrite) return null;
  return (
    <div className="event-comments" data-testid="event-comments">
      {comments.map((c) => (
        <div key={c.id} className="comment" data-comment-id={c.id}>
          <span className="strong small">{c.actor}</span> <span className="muted small">{formatWhen(c.created_at)}</span>
          <p>{c.body}</p>
          {state.canDelete && (
            <button
              type="button"
              className="btn btn-link small"
              onClick={() => void api.deleteComment(state.traceId, c.id).then(state.refresh, (e: Error) => setError(e.message))}
            >
              Delete
            </button>
          )}
        </div>
      ))}
      {state.canWrite && (
        <form
          className="feedback-form"
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <input
            value={body}
            onChange={(e) => setBody(e.target.value)}
            placeholder="Comment on this step"
            aria-label={`Comment on event ${index}`}
            maxLength={4000}
          />
          <button type="submit" className="btn btn-small" disabled={busy || !body.trim()}>
            Comment
          </button>
        </form>
      )}
      {error && <p className="error-text small">{error}</p>}
    </div>
  );
}
