import { traceFormatJsonSchema } from '@stepwise/core';
import type { RouteSpec } from './router.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });
const errorResponse = { description: 'Error envelope', ...json(ref('Error')) };
const idParam = (what: string) => ({ name: 'id', in: 'path', required: true, description: `${what} id`, schema: { type: 'string' } });
const query = (name: string, description: string, schema: unknown = { type: 'string' }) => ({ name, in: 'query', description, schema });

/** The OpenAPI 3.1 description of the v1 API; its schemas are the published trace-format schemas. */
export function openApiDocument(serverUrl: string, routes: readonly RouteSpec[] = []): Record<string, unknown> {
  const format = traceFormatJsonSchema() as { $defs: Record<string, unknown> };
  // Rewrite the format's internal references to OpenAPI component references.
  const schemas = JSON.parse(JSON.stringify(format.$defs).replaceAll('#/$defs/', '#/components/schemas/')) as Record<string, unknown>;
  schemas.Error = {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
      },
    },
  };
  const errors = {
    '400': errorResponse,
    '401': errorResponse,
    '403': errorResponse,
    '404': errorResponse,
    '413': errorResponse,
    '415': errorResponse,
    '429': errorResponse,
  };
  const paths: Record<string, Record<string, unknown>> = {
    '/api/v1/sync': {
      post: {
        summary: 'Sync test results (batch, incremental with test_run_id, streaming with create_empty)',
        requestBody: { required: true, ...json(ref('SyncRequest')) },
        responses: {
          '200': { description: 'Nothing new stored', ...json(ref('SyncReply')) },
          '201': { description: 'Stored', ...json(ref('SyncReply')) },
          ...errors,
        },
      },
    },
    '/api/v1/traces': {
      post: {
        summary: 'Store one trace or an array of traces',
        requestBody: { required: true, ...json({ oneOf: [ref('Trace'), { type: 'array', items: ref('Trace') }] }) },
        responses: { '200': { description: 'Nothing new stored' }, '201': { description: 'Stored' }, ...errors },
      },
      get: {
        summary: 'List trace summaries, newest first (cursor pagination)',
        parameters: [
          query('agent', 'agent name'),
          query('scenario', 'scenario id'),
          query('run', 'test run id, or none for traces that belong to no run'),
          query('verdict', 'passed or failed', { enum: ['passed', 'failed'] }),
          query('pattern', 'failure pattern, e.g. hallucination'),
          query('tool', 'a tool the trace called'),
          query('model', 'model name as recorded'),
          query(
            'q',
            'full-text search over messages, reasoning and tool data (words, "quoted phrases"; the last word matches as a prefix). The index holds text after redaction.',
          ),
          query('since', 'ISO-8601 lower bound (inclusive)', { type: 'string', format: 'date-time' }),
          query('until', 'ISO-8601 upper bound (exclusive)', { type: 'string', format: 'date-time' }),
          query('limit', 'page size (1-500)', { type: 'integer' }),
          query('cursor', 'next_cursor of the previous page'),
        ],
        responses: { '200': { description: 'A page of traces' }, ...errors },
      },
    },
    '/api/v1/traces/{id}': {
      get: {
        summary: 'A trace with all its events',
        parameters: [idParam('Trace')],
        responses: { '200': { description: 'The trace' }, ...errors },
      },
      delete: { summary: 'Delete a trace', parameters: [idParam('Trace')], responses: { '200': { description: 'Deleted' }, ...errors } },
    },
    '/api/v1/traces/{id}/events': {
      get: {
        summary: "A slice of a trace's events, for long traces",
        parameters: [
          idParam('Trace'),
          query('offset', 'first event index', { type: 'integer' }),
          query('limit', 'number of events', { type: 'integer' }),
        ],
        responses: { '200': { description: 'Events' }, ...errors },
      },
    },
    '/api/v1/runs': {
      get: {
        summary: 'List test runs, newest first',
        parameters: [
          query('agent', 'agent name'),
          query('branch', 'the branch the run was made on (sync field branch); with limit=1, the last run on a branch'),
          query('name', 'exact run name'),
          query('status', 'passed (all passed), failed (has failures) or empty', { enum: ['passed', 'failed', 'empty'] }),
          query('source', 'mcp, ci, vscode, cli or api'),
          query('since', 'ISO-8601 lower bound', { type: 'string', format: 'date-time' }),
          query('until', 'ISO-8601 upper bound', { type: 'string', format: 'date-time' }),
          query('limit', 'page size (1-500)', { type: 'integer' }),
          query('offset', 'rows to skip', { type: 'integer' }),
        ],
        responses: { '200': { description: 'A page of runs' }, ...errors },
      },
    },
    '/api/v1/runs/{id}': {
      get: {
        summary: 'A run summary with its results',
        parameters: [
          idParam('Run'),
          query('status', 'passed or failed', { enum: ['passed', 'failed'] }),
          query('limit', 'page size', { type: 'integer' }),
          query('offset', 'rows to skip', { type: 'integer' }),
        ],
        responses: { '200': { description: 'The run' }, ...errors },
      },
      delete: {
        summary: 'Delete a run and its traces',
        parameters: [idParam('Run')],
        responses: { '200': { description: 'Deleted' }, ...errors },
      },
    },
    '/api/v1/export': {
      get: {
        summary: 'Export a trace, a run or every trace matching the trace-list filters (streamed)',
        parameters: [
          query('trace', 'one trace id'),
          query('run', 'the traces of a run, in run order'),
          query('agent', 'agent name'),
          query('scenario', 'scenario id'),
          query('verdict', 'passed or failed', { enum: ['passed', 'failed'] }),
          query('pattern', 'failure pattern'),
          query('since', 'ISO-8601 lower bound', { type: 'string', format: 'date-time' }),
          query('until', 'ISO-8601 upper bound', { type: 'string', format: 'date-time' }),
          query('format', 'json (default), jsonl, csv or otlp (see docs/export.md)', { enum: ['json', 'jsonl', 'csv', 'otlp'] }),
          query('rows', 'CSV only: results (default) or events', { enum: ['results', 'events'] }),
        ],
        responses: { '200': { description: 'The export, streamed' }, ...errors },
      },
    },
    '/api/v1/schema.json': {
      get: { summary: 'The JSON Schema of the trace format', responses: { '200': { description: 'JSON Schema' } } },
    },
    '/healthz': { get: { summary: 'Liveness (constant time; reads nothing)', responses: { '200': { description: 'OK' } } } },
  };
  // Every registered route is listed, described or not, with the permission it needs.
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    const method = route.method.toLowerCase();
    const entry = (paths[path] ??= {});
    const operation = (entry[method] ??= {
      summary: `${route.method} ${path}`,
      ...(route.objectParam ? { parameters: [{ name: route.objectParam, in: 'path', required: true, schema: { type: 'string' } }] } : {}),
      responses: { '200': { description: 'OK' }, ...errors },
    }) as Record<string, unknown>;
    operation['x-stepwise-permission'] = route.access;
    if (route.access === 'public') operation.security = [];
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Stepwise API', version: '1', description: 'Behavioral tracing for AI-agent test runs.' },
    servers: [{ url: serverUrl }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'An API key (sw_…), scoped to one workspace and one role' },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'stepwise_session',
          description: 'Dashboard session; mutations also need X-CSRF-Token',
        },
      },
    },
    security: [{ apiKey: [] }, { session: [] }],
  };
}
