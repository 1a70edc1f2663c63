import { ANALYZER_VERSION } from '@stepwise/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tauAirlineDev } from '../../../test-support/real-data.js';
import { DEFAULT_WORKSPACE_ID } from '../src/store/trace-store.js';
import { makeTestApp, type TestApp } from './support/app.js';

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
});
afterEach(async () => {
  await t.close();
});

async function json(response: Response | Promise<Response>): Promise<any> {
  return (await response).json();
}

// What analyzer 1.0.0 stored for tau-air-18-0: "it was created on 2024-05-11" read as a claim.
const staleEvaluation = {
  verdict: 'failed',
  reported_passed: true,
  analyzer_version: '1.0.0',
  checks: [],
  findings: [
    {
      pattern: 'unsupported_success_claim',
      category: 'communication_failure',
      severity: 'high',
      event_indexes: [6],
      summary: 'Said "was created" but no tool that could do that was called.',
    },
  ],
  expectations_source: 'inline',
};

describe('re-analysis of stored traces', () => {
  it('replaces an evaluation stored by an older analyzer and corrects the run counts', async () => {
    const run = tauAirlineDev().get('tau-air-18-0')!;
    const reply = await json(t.post('/api/v1/sync', { agent_name: 'tau-airline', results: [run] }));
    const traceId: string = reply.trace_ids[0];
    await t.runtime.store.updateEvaluation(DEFAULT_WORKSPACE_ID, traceId, {
      verdict: 'failed',
      patterns: ['unsupported_success_claim'],
      evaluationJson: JSON.stringify(staleEvaluation),
    });
    expect((await json(t.get(`/api/v1/runs/${reply.test_run_id}`))).run.failed).toBe(1);

    const summary = await json(t.post(`/api/v1/runs/${reply.test_run_id}/analyze`, {}));
    expect(summary).toMatchObject({ analyzed: 1, failed: 0, passed: 1 });
    const analysis = await json(t.get(`/api/v1/traces/${traceId}/analysis`));
    expect(analysis).toMatchObject({ analyzer_version: ANALYZER_VERSION, verdict: 'passed' });
    expect(analysis.findings.filter((f: any) => f.severity === 'high')).toEqual([]);
    expect((await json(t.get(`/api/v1/runs/${reply.test_run_id}`))).run).toMatchObject({ failed: 0, passed: 1 });
    expect((await json(t.get('/api/v1/traces?pattern=unsupported_success_claim'))).traces).toEqual([]);
  });

  it('re-analyzes one trace on request with the current analyzer', async () => {
    const run = tauAirlineDev().get('tau-air-5-0')!;
    const reply = await json(t.post('/api/v1/sync', { agent_name: 'tau-airline', results: [run] }));
    const analysis = await json(t.post(`/api/v1/traces/${reply.trace_ids[0]}/analyze`, {}));
    expect(analysis.analyzer_version).toBe(ANALYZER_VERSION);
    expect(analysis.findings.find((f: any) => f.pattern === 'unsupported_success_claim')).toMatchObject({
      basis: 'evidence',
      severity: 'high',
    });
  });
});
