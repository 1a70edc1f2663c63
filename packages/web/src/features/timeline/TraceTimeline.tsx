import { formatElapsed } from '@stepwise/core';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore, type KeyboardEvent } from 'react';
import type { Check, Finding, TraceEvent } from '../../api/types';
import { PatternBadge } from '../../ui/badges';
import type { EventWindowCache } from './event-window-cache';
import { EventDetails } from './EventDetails';
import { markOf, useTraceFeedback } from './feedback-context';
import { nestingDepth } from './nesting';
import { ownExtent, spanningExtents, waterfallBar, type Extent } from './waterfall';
import { durationOf, EVENT_LABELS, EventIcon, eventMarkers, summarizeEvent } from './event-style';
import { rowAt, rowHeightOf, rowTop, totalHeight, type RowLayout } from './virtual-rows';

const ROW_HEIGHT = 36;
const OVERSCAN = 12;

export interface TimelineProps {
  cache: EventWindowCache;
  /** Start of the trace (ms since epoch); elapsed times count from it. */
  startMs: number;
  /** Trace duration for the duration bars; null when unknown. */
  durationMs: number | null;
  /** False when the result carried no time: elapsed times are shown as unknown, not as +0.000s. */
  timingsKnown?: boolean;
  findingsByEvent: ReadonlyMap<number, Finding[]>;
  checksByEvent: ReadonlyMap<number, Check[]>;
  /** Event to select, expand and scroll to on open (a deep link), or null. */
  initialEvent: number | null;
  /** A request to jump to an event (e.g. from the findings list); the nonce makes repeats count. */
  jump: { index: number; nonce: number } | null;
}

/**
 * The trace timeline: a virtualized list (only visible rows are in the DOM) over an event cache that
 * loads windows as they scroll into view. Up/Down move, Enter expands, Home/End jump.
 */
export function TraceTimeline({
  cache,
  startMs,
  durationMs,
  timingsKnown = true,
  findingsByEvent,
  checksByEvent,
  initialEvent,
  jump,
}: TimelineProps) {
  const count = cache.count;
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);
  const [selected, setSelected] = useState(() => clampIndex(initialEvent ?? 0, count));
  const [expanded, setExpanded] = useState<number[]>(() => (initialEvent !== null && initialEvent < count ? [initialEvent] : []));
  const heights = useRef(new Map<number, number>());
  const eventsById = useRef(new Map<string, TraceEvent>());
  // Nested events seen so far by index (with or without an id of their own), so parents span them.
  const nestedByIndex = useRef(new Map<number, TraceEvent>());
  const waterfall = useRef<{ stale: boolean; extents: ReadonlyMap<string, Extent> }>({ stale: false, extents: NO_EXTENTS });
  const [layoutVersion, setLayoutVersion] = useState(0);
  const ready = useRef(false);

  // Re-render when a window of events arrives.
  useSyncExternalStore(
    useCallback((listener) => cache.subscribe(listener), [cache]),
    () => cache.version,
  );

  const layout: RowLayout = useMemo(
    () => ({ count, rowHeight: ROW_HEIGHT, expanded, heights: heights.current }),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- heights is a mutable ref; layoutVersion says when it changed
    [count, expanded, layoutVersion],
  );

  const first = Math.max(0, rowAt(layout, scrollTop) - OVERSCAN);
  const last = Math.min(count - 1, rowAt(layout, scrollTop + viewport) + OVERSCAN);
  useEffect(() => {
    if (count > 0) cache.ensure(first, last);
  }, [cache, count, first, last]);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setViewport(el.clientHeight));
    observer.observe(el);
    setViewport(el.clientHeight);
    return () => observer.disconnect();
  }, []);

  const scrollToRow = useCallback(
    (index: number, mode: 'nearest' | 'start' = 'nearest') => {
      const el = scroller.current;
      if (!el) return;
      const top = rowTop(layout, index);
      const bottom = top + Math.min(rowHeightOf(layout, index), el.clientHeight);
      if (mode === 'start') el.scrollTop = Math.max(0, top - ROW_HEIGHT * 2);
      else if (top < el.scrollTop) el.scrollTop = top;
      else if (bottom > el.scrollTop + el.clientHeight) el.scrollTop = bottom - el.clientHeight;
    },
    [layout],
  );

  // Open on the deep-linked event.
  useLayoutEffect(() => {
    if (initialEvent !== null && initialEvent < count) scrollToRow(initialEvent, 'start');
    scroller.current?.focus({ preventScroll: true });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- runs once, on mount: the deep link is only read on arrival
  }, []);

  useEffect(() => {
    if (!jump || jump.index >= count) return;
    setSelected(jump.index);
    setExpanded((current) => (current.includes(jump.index) ? current : [...current, jump.index].sort((x, y) => x - y)));
    scrollToRow(jump.index, 'start');
    scroller.current?.focus({ preventScroll: true });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- reacts to a new jump request only, not to layout changes
  }, [jump]);

  // The selected event is part of the URL, so a copied address opens on it.
  useEffect(() => {
    if (!ready.current) return;
    const url = `${window.location.pathname}${window.location.search}#event-${selected}`;
    window.history.replaceState(window.history.state, '', url);
  }, [selected]);

  const toggle = useCallback((index: number) => {
    setExpanded((current) => (current.includes(index) ? current.filter((i) => i !== index) : [...current, index].sort((x, y) => x - y)));
  }, []);

  const move = (index: number) => {
    const next = clampIndex(index, count);
    setSelected(next);
    scrollToRow(next);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.target !== event.currentTarget) return; // keys inside an expanded event (buttons) are theirs
    const page = Math.max(1, Math.floor(viewport / ROW_HEIGHT) - 1);
    switch (event.key) {
      case 'ArrowDown':
      case 'j':
        move(selected + 1);
        break;
      case 'ArrowUp':
      case 'k':
        move(selected - 1);
        break;
      case 'PageDown':
        move(selected + page);
        break;
      case 'PageUp':
        move(selected - page);
        break;
      case 'Home':
        move(0);
        break;
      case 'End':
        move(count - 1);
        break;
      case 'Enter':
      case ' ':
        toggle(selected);
        break;
      case 'Escape':
        setExpanded((current) => current.filter((i) => i !== selected));
        break;
      default:
        return;
    }
    event.preventDefault();
  };

  const onMeasure = useCallback((index: number, height: number) => {
    if (heights.current.get(index) === height) return;
    heights.current.set(index, height);
    setLayoutVersion((v) => v + 1);
  }, []);

  const firstLoaded = count > 0 && cache.get(rowAt(layout, scrollTop)) !== undefined;
  // Events seen so far by id, for nesting by parent_id (parents usually come first and stay known).
  for (let i = first; i <= last && count > 0; i++) {
    const event = cache.get(i);
    if (event?.id !== undefined && eventsById.current.get(event.id) !== event) {
      eventsById.current.set(event.id, event);
      waterfall.current.stale = true;
    }
    if (event?.parent_id !== undefined && nestedByIndex.current.get(i) !== event) {
      nestedByIndex.current.set(i, event);
      waterfall.current.stale = true;
    }
  }
  // Waterfall: each event's range widened to span its loaded descendants (parents span their children),
  // computed again only when an event with an id or a parent was first seen, not on every scroll.
  if (waterfall.current.stale) {
    waterfall.current = {
      stale: false,
      extents: spanningExtents(
        [...eventsById.current.values(), ...[...nestedByIndex.current.values()].filter((e) => e.id === undefined)].map((e) => ({
          id: e.id,
          parent_id: e.parent_id,
          startMs: Date.parse(e.timestamp),
          durationMs: durationOf(e),
        })),
      ),
    };
  }
  const extents = timingsKnown ? waterfall.current.extents : NO_EXTENTS;
  const rows = [];
  for (let i = first; i <= last && count > 0; i++) {
    const event = cache.get(i);
    rows.push(
      <TimelineRow
        key={i}
        index={i}
        top={rowTop(layout, i)}
        event={event}
        depth={event ? nestingDepth(event, (id) => eventsById.current.get(id)) : 0}
        error={event ? undefined : cache.errorAt(i)}
        onRetry={() => cache.retry(i)}
        selected={i === selected}
        expanded={expanded.includes(i)}
        startMs={startMs}
        durationMs={timingsKnown ? durationMs : null}
        extent={event?.id !== undefined ? extents.get(event.id) : undefined}
        timingsKnown={timingsKnown}
        findings={findingsByEvent.get(i) ?? NONE}
        checks={checksByEvent.get(i) ?? NO_CHECKS}
        onClick={() => {
          setSelected(i);
          toggle(i);
        }}
        onMeasure={onMeasure}
      />,
    );
  }

  // Interactive: the first visible rows hold events and the list has keyboard focus.
  useEffect(() => {
    if (ready.current || !(firstLoaded || count === 0)) return;
    ready.current = true;
    scroller.current?.setAttribute('data-ready', 'true');
    performance.mark('stepwise:timeline-ready');
  });

  return (
    <div
      ref={scroller}
      className="timeline"
      tabIndex={0}
      role="listbox"
      aria-label={`Trace events (${count}). Up and down move, Enter expands.`}
      aria-activedescendant={count > 0 ? `event-row-${selected}` : undefined}
      onKeyDown={onKeyDown}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      data-testid="timeline"
      data-count={count}
    >
      <div className="timeline-canvas" style={{ height: totalHeight(layout) }}>
        {rows}
      </div>
    </div>
  );
}

const NONE: Finding[] = [];
const NO_EXTENTS: ReadonlyMap<string, Extent> = new Map();
const NO_CHECKS: Check[] = [];

function clampIndex(index: number, count: number): number {
  return Math.max(0, Math.min(Math.max(0, count - 1), index));
}

interface RowProps {
  index: number;
  top: number;
  event: TraceEvent | undefined;
  /** How deep the event sits under its parent_id chain (0 = top level). */
  depth: number;
  error: string | undefined;
  onRetry: () => void;
  selected: boolean;
  expanded: boolean;
  startMs: number;
  durationMs: number | null;
  /** The time the event spans including its descendants (events with an id), for the waterfall. */
  extent: Extent | undefined;
  timingsKnown: boolean;
  findings: Finding[];
  checks: Check[];
  onClick: () => void;
  onMeasure: (index: number, height: number) => void;
}

function TimelineRow({
  index,
  top,
  event,
  depth,
  error,
  onRetry,
  selected,
  expanded,
  startMs,
  durationMs,
  extent,
  timingsKnown,
  findings,
  checks,
  onClick,
  onMeasure,
}: RowProps) {
  const ref = useRef<HTMLDivElement>(null);
  const feedback = useTraceFeedback();
  const comments = feedback.commentsByEvent.get(index)?.length ?? 0;
  const searchHit = feedback.searchHit?.event === index;
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || !expanded) return;
    const observer = new ResizeObserver(() => onMeasure(index, el.offsetHeight));
    observer.observe(el);
    onMeasure(index, el.offsetHeight);
    return () => observer.disconnect();
  }, [expanded, index, onMeasure, event]);

  const className = [
    'timeline-row',
    event ? `type-${event.type}` : 'is-loading',
    selected ? 'is-selected' : '',
    expanded ? 'is-expanded' : '',
    findings.length ? 'has-finding' : '',
    searchHit ? 'is-search-match' : '',
  ].join(' ');

  if (!event) {
    return (
      <div
        ref={ref}
        id={`event-row-${index}`}
        className={className}
        style={{ top }}
        role="option"
        aria-selected={selected}
        data-index={index}
        data-loaded="false"
      >
        <div className="row-main">
          <span className="row-index">{index}</span>
          {error ? (
            <span className="error-text small">
              Could not load these events: {error}{' '}
              <button type="button" className="btn btn-link" onClick={onRetry}>
                Retry
              </button>
            </span>
          ) : (
            <span className="row-skeleton" />
          )}
        </div>
      </div>
    );
  }

  const elapsed = Date.parse(event.timestamp) - startMs;
  const duration = durationOf(event);
  const markers = eventMarkers(event);
  const span = durationMs && durationMs > 0 ? durationMs : null;
  const own = ownExtent({ startMs: Date.parse(event.timestamp), durationMs: duration });
  // A parent spans its children; an event without duration or children is a tick.
  const range = extent ?? own;
  const bar = duration !== null || range.end > range.start ? waterfallBar(range, startMs, span) : null;
  const tick = bar === null ? waterfallBar(own, startMs, span) : null;
  const spanned = range.end - range.start;

  return (
    <div
      ref={ref}
      id={`event-row-${index}`}
      className={className}
      style={{ top }}
      role="option"
      aria-selected={selected}
      aria-expanded={expanded}
      data-index={index}
      data-type={event.type}
      data-loaded="true"
    >
      <div className="row-main" onClick={onClick}>
        <span className="row-index">{index}</span>
        <span className="row-elapsed mono" title={timingsKnown ? undefined : 'The result carried no timestamps: this time is unknown'}>
          {timingsKnown && Number.isFinite(elapsed) ? formatElapsed(elapsed) : '?'}
        </span>
        <EventIcon type={event.type} />
        <span className="row-type">{EVENT_LABELS[event.type]}</span>
        <span className="row-summary" style={depth > 0 ? { paddingLeft: `${Math.min(depth, 6) * 14}px` } : undefined} data-depth={depth}>
          {depth > 0 && (
            <span className="nest-mark" title={`Child of ${event.parent_id}`} aria-label={`nested ${depth} deep`}>
              ↳{' '}
            </span>
          )}
          {summarizeEvent(event)}
        </span>
        <span className="row-badges">
          {findings.map((f, i) => (
            <PatternBadge key={i} pattern={f.pattern} severity={f.severity} disputed={markOf(feedback, f)?.verdict === 'wrong'} />
          ))}
          {comments > 0 && (
            <span className="badge badge-comment" title={`${comments} comment${comments === 1 ? '' : 's'}`}>
              {comments} comment{comments === 1 ? '' : 's'}
            </span>
          )}
          {searchHit && <span className="badge badge-search">search match</span>}
          {checks.length > 0 && <span className="badge badge-failed">check failed</span>}
          {markers.redacted && <span className="badge badge-redacted">redacted</span>}
          {markers.truncated && <span className="badge badge-truncated">truncated</span>}
        </span>
        <span className="row-bar" aria-hidden="true">
          {bar !== null ? (
            <span
              className={`bar bar-${event.type}${duration === null ? ' bar-span' : ''}`}
              style={{ left: `${bar.left * 100}%`, width: `${bar.width * 100}%` }}
              title={
                duration === null || spanned > duration ? `${duration ?? 0} ms own, ${spanned} ms with nested events` : `${duration} ms`
              }
              data-waterfall="bar"
            />
          ) : (
            tick !== null && <span className={`tick tick-${event.type}`} style={{ left: `${tick.left * 100}%` }} data-waterfall="tick" />
          )}
        </span>
        <span className="row-duration mono small">{duration !== null ? `${duration} ms` : ''}</span>
      </div>
      {expanded && (
        <div className="row-details" onClick={(e) => e.stopPropagation()}>
          <EventDetails event={event} index={index} findings={findings} checks={checks} />
        </div>
      )}
    </div>
  );
}
