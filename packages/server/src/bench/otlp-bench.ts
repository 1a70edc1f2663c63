import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeExportRequest } from '../otlp/proto.js';
import { spawnServer } from './ingest-bench.js';
import { median } from './stats.js';

export interface OtlpBenchResult {
  spans: number;
  requests: number;
  spansPerTrace: number;
  jsonSpansPerSec: number;
  protobufSpansPerSec: number;
  jsonBytesPerRequest: number;
  protobufBytesPerRequest: number;
  runs: number;
}

const T0 = 1_764_340_000_000;
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const text = (key: string, value: string) => ({ key, value: { stringValue: value } });
const int = (key: string, value: number) => ({ key, value: { intValue: String(value) } });

/**
 * One agent run as GenAI spans: an `invoke_agent` root, then `turns` pairs of a model call (with
 * input and output messages) and a tool call (arguments and a ~1 KB result).
 */
function agentTrace(seed: number, turns: number): Array<Record<string, unknown>> {
  const traceId = hex(seed + 1, 32);
  const root = hex(seed * 100 + 1, 16);
  const at = (ms: number) => String((T0 + seed * 10_000 + ms) * 1_000_000);
  const spans: Array<Record<string, unknown>> = [
    {
      traceId,
      spanId: root,
      name: 'invoke_agent support-agent',
      startTimeUnixNano: at(0),
      endTimeUnixNano: at(turns * 200 + 100),
      attributes: [text('gen_ai.operation.name', 'invoke_agent'), text('stepwise.scenario_id', `scenario-${seed % 20}`)],
    },
  ];
  const result = JSON.stringify({ articles: [{ id: `kb-${seed}`, content: 'refund policy for digital products '.repeat(28) }] });
  for (let t = 0; t < turns; t++) {
    spans.push({
      traceId,
      spanId: hex(seed * 100 + 2 + t * 2, 16),
      parentSpanId: root,
      name: 'chat gpt-4o',
      startTimeUnixNano: at(t * 200 + 10),
      endTimeUnixNano: at(t * 200 + 90),
      attributes: [
        text('gen_ai.operation.name', 'chat'),
        text('gen_ai.request.model', 'gpt-4o'),
        int('gen_ai.usage.input_tokens', 400 + t),
        int('gen_ai.usage.output_tokens', 30),
        text(
          'gen_ai.input.messages',
          JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: `Question ${seed}: what is the refund policy?` }] }]),
        ),
        text(
          'gen_ai.output.messages',
          JSON.stringify([
            { role: 'assistant', parts: [{ type: 'tool_call', id: `call_${t}`, name: 'search_kb', arguments: { query: `refunds ${t}` } }] },
          ]),
        ),
      ],
    });
    spans.push({
      traceId,
      spanId: hex(seed * 100 + 3 + t * 2, 16),
      parentSpanId: root,
      name: 'execute_tool search_kb',
      startTimeUnixNano: at(t * 200 + 100),
      endTimeUnixNano: at(t * 200 + 190),
      attributes: [
        text('gen_ai.operation.name', 'execute_tool'),
        text('gen_ai.tool.name', 'search_kb'),
        text('gen_ai.tool.call.arguments', JSON.stringify({ query: `refunds ${t}` })),
        text('gen_ai.tool.call.result', result),
      ],
    });
  }
  return spans;
}

function makeRequests(requests: number, tracesPerRequest: number, turns: number, offset: number): unknown[] {
  const out: unknown[] = [];
  for (let r = 0; r < requests; r++) {
    const spans = [];
    for (let t = 0; t < tracesPerRequest; t++) spans.push(...agentTrace(offset + r * tracesPerRequest + t, turns));
    out.push({
      resourceSpans: [
        { resource: { attributes: [text('service.name', 'bench-agent')] }, scopeSpans: [{ scope: { name: 'bench' }, spans }] },
      ],
    });
  }
  return out;
}

async function send(bodies: Array<string | Uint8Array>, contentType: string, dbPath: string, spans: number): Promise<number> {
  const server = await spawnServer(dbPath, {});
  const started = performance.now();
  for (const body of bodies) {
    const response = await fetch(`${server.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': contentType, authorization: `Bearer ${server.key}` },
      body: typeof body === 'string' ? body : Buffer.from(body),
    });
    if (response.status !== 200) throw new Error(`bench OTLP export failed with ${response.status}: ${await response.text()}`);
    await response.arrayBuffer();
  }
  const seconds = (performance.now() - started) / 1000;
  await server.stop();
  return spans / seconds;
}

/** Spans per second through `POST /v1/traces` (OTLP/JSON and OTLP/protobuf) into SQLite with the full pipeline. */
export async function runOtlpBench(options: { runs?: number; requests?: number } = {}): Promise<OtlpBenchResult> {
  const runs = options.runs ?? 3;
  const requests = options.requests ?? 40;
  const tracesPerRequest = 10;
  const turns = 5;
  const spansPerTrace = 1 + turns * 2;
  const spans = requests * tracesPerRequest * spansPerTrace;
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-otlp-bench-'));
  const json: number[] = [];
  const proto: number[] = [];
  let jsonBytes = 0;
  let protoBytes = 0;
  try {
    for (let i = 0; i < runs; i++) {
      const asJson = makeRequests(requests, tracesPerRequest, turns, i * 100_000).map((r) => JSON.stringify(r));
      const asProto = makeRequests(requests, tracesPerRequest, turns, i * 100_000 + 50_000).map((r) => encodeExportRequest(r));
      jsonBytes = asJson[0]!.length;
      protoBytes = asProto[0]!.length;
      json.push(await send(asJson, 'application/json', join(dir, `json-${i}.db`), spans));
      proto.push(await send(asProto, 'application/x-protobuf', join(dir, `proto-${i}.db`), spans));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    spans,
    requests,
    spansPerTrace,
    jsonSpansPerSec: median(json),
    protobufSpansPerSec: median(proto),
    jsonBytesPerRequest: jsonBytes,
    protobufBytesPerRequest: protoBytes,
    runs,
  };
}
