import type { TraceRecord } from '../../src/store/trace-store.js';

let counter = 0;

/** A minimal valid record for store tests; override what the test is about. */
export function makeRecord(overrides: Partial<TraceRecord> = {}): TraceRecord {
  counter++;
  const startedAt = overrides.startedAt ?? new Date(Date.UTC(2026, 2, 13, 14, 30, 0, counter)).toISOString();
  const events = [
    JSON.stringify({ type: 'user_input', timestamp: startedAt, data: { message: `question ${counter}` } }),
    JSON.stringify({ type: 'agent_response', timestamp: startedAt, data: { message: 'answer' } }),
  ];
  return {
    id: `tr_test_${counter}`,
    runId: null,
    dedupeKey: null,
    scenarioId: 'sc_1',
    agentName: 'agent-a',
    startedAt,
    startedMs: Date.parse(startedAt),
    durationMs: 10,
    toolPath: [],
    reportedPassed: true,
    verdict: 'passed',
    patterns: [],
    model: null,
    tokensTotal: null,
    costUsd: null,
    userMessage: `question ${counter}`,
    response: 'answer',
    notes: null,
    warnings: [],
    headerJson: JSON.stringify({
      trace_id: overrides.id ?? `tr_test_${counter}`,
      scenario_id: 'sc_1',
      agent_name: 'agent-a',
      timestamp: startedAt,
    }),
    eventsJson: events,
    eventTypes: ['user_input', 'agent_response'],
    eventTimestamps: [startedAt, startedAt],
    expectedJson: null,
    evaluationJson: null,
    redactionJson: null,
    isDemo: false,
    ...overrides,
  };
}
