import protobuf from 'protobufjs';

/**
 * The OTLP trace messages Stepwise reads and answers (opentelemetry-proto v1: collector/trace,
 * trace, resource, common, and google.rpc.Status for errors), written out from the published
 * field numbers. Unknown fields (newer additions) are skipped by the decoder, as protobuf does.
 */
export const OTLP_TRACE_PROTO = `
syntax = "proto3";
package stepwise.otlp;

message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope {
  string name = 1;
  string version = 2;
  repeated KeyValue attributes = 3;
  uint32 dropped_attributes_count = 4;
}
message Resource {
  repeated KeyValue attributes = 1;
  uint32 dropped_attributes_count = 2;
}
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans {
  Resource resource = 1;
  repeated ScopeSpans scope_spans = 2;
  string schema_url = 3;
}
message ScopeSpans {
  InstrumentationScope scope = 1;
  repeated Span spans = 2;
  string schema_url = 3;
}
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  string trace_state = 3;
  bytes parent_span_id = 4;
  fixed32 flags = 16;
  string name = 5;
  int32 kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9;
  uint32 dropped_attributes_count = 10;
  repeated Event events = 11;
  uint32 dropped_events_count = 12;
  repeated Link links = 13;
  uint32 dropped_links_count = 14;
  Status status = 15;
  message Event {
    fixed64 time_unix_nano = 1;
    string name = 2;
    repeated KeyValue attributes = 3;
    uint32 dropped_attributes_count = 4;
  }
  message Link {
    bytes trace_id = 1;
    bytes span_id = 2;
    string trace_state = 3;
    repeated KeyValue attributes = 4;
    uint32 dropped_attributes_count = 5;
    fixed32 flags = 6;
  }
}
message Status {
  string message = 2;
  int32 code = 3;
}
message ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }
message ExportTracePartialSuccess {
  int64 rejected_spans = 1;
  string error_message = 2;
}
message RpcStatus {
  int32 code = 1;
  string message = 2;
}
`;

const root = protobuf.parse(OTLP_TRACE_PROTO).root;
const ExportRequest = root.lookupType('stepwise.otlp.ExportTraceServiceRequest');
const ExportResponse = root.lookupType('stepwise.otlp.ExportTraceServiceResponse');
const RpcStatus = root.lookupType('stepwise.otlp.RpcStatus');

/**
 * Decodes a protobuf `ExportTraceServiceRequest` into the shape of its JSON encoding (camelCase
 * names, hex ids, 64-bit integers as decimal strings), which core's `readOtlpTraces` reads.
 * Throws on bytes that are not a valid message.
 */
export function decodeExportRequest(bytes: Uint8Array): unknown {
  const message = ExportRequest.decode(bytes);
  const object = ExportRequest.toObject(message, { longs: String, enums: Number, bytes: Array, defaults: false, oneofs: false });
  for (const rs of (object.resourceSpans as Array<{ scopeSpans?: Array<{ spans?: Array<Record<string, unknown>> }> }> | undefined) ?? []) {
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        for (const key of ['traceId', 'spanId', 'parentSpanId']) {
          if (Array.isArray(span[key])) span[key] = Buffer.from(span[key] as number[]).toString('hex');
        }
      }
    }
  }
  return object;
}

/** An `ExportTraceServiceResponse`, with `partial_success` when some spans were rejected. */
export function encodeExportResponse(rejectedSpans: number, errorMessage: string): Uint8Array {
  const payload = rejectedSpans > 0 || errorMessage !== '' ? { partialSuccess: { rejectedSpans, errorMessage } } : {};
  return ExportResponse.encode(ExportResponse.fromObject(payload)).finish();
}

/** A `google.rpc.Status`, the body of OTLP/HTTP error replies. */
export function encodeRpcStatus(code: number, message: string): Uint8Array {
  return RpcStatus.encode(RpcStatus.fromObject({ code, message })).finish();
}

/** Encodes a request in the JSON shape (hex ids) as protobuf: what an exporter sends. Used by the bench. */
export function encodeExportRequest(request: unknown): Uint8Array {
  const copy = structuredClone(request) as { resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: Array<Record<string, unknown>> }> }> };
  for (const rs of copy.resourceSpans ?? []) {
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        for (const key of ['traceId', 'spanId', 'parentSpanId']) {
          if (typeof span[key] === 'string') span[key] = Buffer.from(span[key], 'hex');
        }
      }
    }
  }
  return ExportRequest.encode(ExportRequest.fromObject(copy)).finish();
}
