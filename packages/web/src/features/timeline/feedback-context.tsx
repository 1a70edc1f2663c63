import { findingKey } from '@stepwise/core';
import { createContext, useContext } from 'react';
import type { EventComment, Finding, FindingFeedback } from '../../api/types';

/** What the timeline and the analysis panel know about feedback on one trace. */
export interface TraceFeedbackState {
  traceId: string;
  marks: ReadonlyMap<string, FindingFeedback>;
  commentsByEvent: ReadonlyMap<number, EventComment[]>;
  canWrite: boolean;
  canDelete: boolean;
  /** Re-reads the feedback after a change. */
  refresh: () => Promise<void>;
  /** The event a search opened the trace at, and the words searched for. */
  searchHit: { event: number; terms: string[] } | null;
}

const EMPTY: TraceFeedbackState = {
  traceId: '',
  marks: new Map(),
  commentsByEvent: new Map(),
  canWrite: false,
  canDelete: false,
  refresh: async () => {},
  searchHit: null,
};

export const TraceFeedbackContext = createContext<TraceFeedbackState>(EMPTY);

export function useTraceFeedback(): TraceFeedbackState {
  return useContext(TraceFeedbackContext);
}

export function markOf(state: TraceFeedbackState, finding: Finding): FindingFeedback | undefined {
  return state.marks.get(findingKey(finding));
}
