import type { ResultItem } from '@stepwise/core';
import type { Reporter, TestCase, TestModule, Vitest } from 'vitest/node';
import { StepwiseClient, type StepwiseClientOptions, type StepwiseSyncError } from '../sync-client.js';
import { newTraceId } from '../trace-builder.js';
import { META_KEY, type AttachedTrace } from './attach.js';

export interface StepwiseReporterOptions extends Partial<Omit<StepwiseClientOptions, 'flushOnExit'>> {
  /** Sync only tests that attached a trace (default: every test that ran). */
  onlyTraced?: boolean;
}

const MAX_NOTES = 2000;

function notesOf(test: TestCase): string | undefined {
  const result = test.result();
  if (result.state !== 'failed') return undefined;
  const text = (result.errors ?? []).map((e) => e.message).join('\n');
  return text ? text.slice(0, MAX_NOTES) : 'failed';
}

/** One sync result for one finished test: its attached trace, or its name when it attached none. */
export function resultOf(test: TestCase, rootDir: string): ResultItem | undefined {
  const state = test.result().state;
  if (state !== 'passed' && state !== 'failed') return undefined;
  const attached = (test.meta() as Record<string, unknown>)[META_KEY] as AttachedTrace | undefined;
  const file = test.module.moduleId.startsWith(rootDir)
    ? test.module.moduleId.slice(rootDir.length).replace(/^[\\/]/, '')
    : test.module.moduleId;
  const events = attached?.trace.events ?? [];
  const input = events.find((e) => e.type === 'user_input');
  const response = events.findLast((e) => e.type === 'agent_response');
  const item: ResultItem = {
    scenario_id: attached?.scenarioId ?? test.fullName,
    user_message: input?.type === 'user_input' ? input.data.message : test.fullName,
    agent_response: response?.type === 'agent_response' ? response.data.message : '',
    passed: state === 'passed',
    trace_id: attached?.trace.trace_id ?? newTraceId(),
    metadata: { runner: 'vitest', file, test: test.fullName },
  };
  if (attached) item.trace = attached.trace;
  if (attached?.expected) item.expected = attached.expected;
  const notes = notesOf(test);
  if (notes) item.notes = notes;
  const duration = test.diagnostic()?.duration;
  if (duration !== undefined) item.duration_ms = Math.max(0, duration);
  return item;
}

/**
 * A vitest reporter that syncs the whole run to Stepwise when it ends: one result per test with
 * its pass/fail and the trace it attached (`stepwise(context)` / `recordTrace`). Reads
 * STEPWISE_URL and STEPWISE_API_KEY; without a URL it says so and sends nothing. It never fails
 * the test run: sync problems are printed (or handed to `onError`).
 *
 * @example
 * // vitest.config.ts
 * export default defineConfig({ test: { reporters: ['default', ['@stepwise/sdk/vitest', { agentName: 'support-bot' }]] } });
 */
export class StepwiseReporter implements Reporter {
  private readonly options: StepwiseReporterOptions;
  private vitest: Vitest | undefined;

  constructor(options: StepwiseReporterOptions = {}) {
    this.options = options;
  }

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  async onTestRunEnd(testModules: ReadonlyArray<TestModule>): Promise<void> {
    try {
      await this.sync(testModules);
    } catch (error) {
      this.say(`stepwise: could not sync the test run: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async sync(testModules: ReadonlyArray<TestModule>): Promise<void> {
    const errors: StepwiseSyncError[] = [];
    const client = new StepwiseClient({
      agentName: this.options.agentName ?? process.env.STEPWISE_AGENT ?? 'vitest',
      runName: this.options.runName ?? `vitest ${new Date().toISOString()}`,
      source: 'ci',
      ...this.options,
      flushOnExit: false,
      onError: (error) => (this.options.onError ? this.options.onError(error) : errors.push(error)),
    });
    if (!client.enabled) {
      this.say('stepwise: STEPWISE_URL is not set; the test run was not synced');
      return;
    }
    const root = this.vitest?.config.root ?? process.cwd();
    let count = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const item = resultOf(test, root);
        if (!item || (this.options.onlyTraced && !item.trace)) continue;
        client.add(item);
        count++;
      }
    }
    await client.close();
    for (const error of errors) this.say(`stepwise: ${error.message}`);
    const reply = client.lastSync;
    if (reply && count > 0) this.say(`stepwise: synced ${count} test results to run ${reply.test_run_id} — ${reply.dashboard_url}`);
  }

  private say(line: string): void {
    if (this.vitest) this.vitest.logger.log(line);
    else process.stdout.write(`${line}\n`);
  }
}

export default StepwiseReporter;
