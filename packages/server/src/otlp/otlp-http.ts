import { gunzipSync, inflateSync } from 'node:zlib';
import type { Env, Hono } from 'hono';
import { StepwiseError, readOtlpTraces } from '@stepwise/core';
import type { ApiKeyCaller } from '../access/bearer-auth.js';
import { can } from '../access/roles.js';
import type { IngestPipeline } from '../ingest/pipeline.js';
import type { OtlpAssembler } from './assembler.js';
import { decodeExportRequest, encodeExportResponse, encodeRpcStatus } from './proto.js';

export interface OtlpHttpDeps {
  pipeline: IngestPipeline;
  assembler: OtlpAssembler;
  /** Resolves `Authorization: Bearer sw_…` to a caller, or null to refuse. */
  authenticate: (request: Request) => Promise<ApiKeyCaller | null>;
  /** Takes one request from the caller's budget: 0 when allowed, else the seconds to wait. */
  rateLimit?: (caller: ApiKeyCaller) => number | Promise<number>;
  log?: (line: string) => void;
}

/** The OTLP/HTTP paths: the standard one, and one under the API prefix for proxies that route only `/api`. */
export const OTLP_TRACE_PATHS = ['/v1/traces', '/api/v1/otlp/v1/traces'] as const;

// google.rpc.Code values used in OTLP error bodies.
const INVALID_ARGUMENT = 3;
const PERMISSION_DENIED = 7;
const RESOURCE_EXHAUSTED = 8;
const INTERNAL = 13;
const UNAUTHENTICATED = 16;

type Encoding = 'json' | 'protobuf';

/**
 * The OTLP/HTTP trace receiver (`POST /v1/traces`): JSON or protobuf bodies, optionally gzip,
 * bearer API keys, OTLP status codes (400 bad data, 401, 403, 413, 415, 429 with Retry-After,
 * 500) with a `google.rpc.Status` body, and `partial_success` for spans it could not store.
 * Replies use the request's encoding.
 *
 * @example
 * mountOtlp(app, { pipeline, assembler, authenticate: bearerAuthenticator(access) });
 */
export function otlpHttpHandler(deps: OtlpHttpDeps): (request: Request) => Promise<Response> {
  const log = deps.log ?? ((line: string) => console.error(line));
  const maxBytes = deps.pipeline.limits.maxBytes;
  return async (request) => {
    const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    const encoding: Encoding | null =
      type === 'application/json' ? 'json' : type === 'application/x-protobuf' || type === 'application/protobuf' ? 'protobuf' : null;
    const replyAs: Encoding = encoding ?? 'json';
    if (request.method !== 'POST') return status(405, replyAs, INVALID_ARGUMENT, 'send spans with POST', { allow: 'POST' });

    let caller: ApiKeyCaller | null;
    try {
      caller = await deps.authenticate(request);
    } catch (error) {
      log(`otlp: authentication failed unexpectedly: ${(error as Error)?.stack ?? String(error)}`);
      return status(500, replyAs, INTERNAL, 'the server could not check your credentials; try again');
    }
    if (caller === null) {
      return status(401, replyAs, UNAUTHENTICATED, 'send an API key of this Stepwise server as "Authorization: Bearer sw_…"', {
        'www-authenticate': 'Bearer realm="stepwise"',
      });
    }
    if (!can(caller.role, 'write'))
      return status(403, replyAs, PERMISSION_DENIED, `a ${caller.role} key cannot send traces; use a member key`);
    const wait = (await deps.rateLimit?.(caller)) ?? 0;
    if (wait > 0) return status(429, replyAs, RESOURCE_EXHAUSTED, `too many requests: retry in ${wait} s`, { 'retry-after': String(wait) });
    if (encoding === null) {
      return status(415, 'json', INVALID_ARGUMENT, 'send OTLP as application/json or application/x-protobuf');
    }

    let body: Buffer;
    try {
      body = await readBody(request, maxBytes);
    } catch (error) {
      if (error instanceof StepwiseError) {
        const code = error.code === 'payload_too_large' ? 413 : error.code === 'unsupported_media_type' ? 415 : 400;
        return status(code, encoding, code === 413 ? RESOURCE_EXHAUSTED : INVALID_ARGUMENT, error.message);
      }
      throw error;
    }

    let decoded: unknown;
    try {
      decoded = encoding === 'json' ? deps.pipeline.parse(body.toString('utf8'), 'body') : decodeExportRequest(body);
    } catch (error) {
      if (error instanceof StepwiseError) {
        return status(
          error.code === 'payload_too_large' ? 413 : 400,
          encoding,
          INVALID_ARGUMENT,
          `the body is not valid OTLP JSON: ${error.message}`,
        );
      }
      return status(400, encoding, INVALID_ARGUMENT, 'the body is not a valid protobuf ExportTraceServiceRequest');
    }

    const read = readOtlpTraces(decoded);
    if (read.malformed) return status(400, encoding, INVALID_ARGUMENT, `${read.malformed.path}: ${read.malformed.message}`);
    if (read.spans.length === 0 && read.rejected.length > 0) {
      return status(400, encoding, INVALID_ARGUMENT, `no span could be read: ${describe(read.rejected)}`);
    }
    try {
      const outcome = await deps.assembler.accept(caller.workspaceId, read.spans);
      const rejected = read.rejected.length + outcome.rejectedSpans;
      const messages = [...(read.rejected.length > 0 ? [describe(read.rejected)] : []), ...outcome.messages];
      return success(encoding, rejected, messages.join('; ').slice(0, 2000));
    } catch (error) {
      log(`otlp: storing spans failed unexpectedly: ${(error as Error)?.stack ?? String(error)}`);
      return status(500, encoding, INTERNAL, 'the server failed to store these spans; it has been logged');
    }
  };
}

/** Serves the OTLP/HTTP trace receiver on a Hono app at `/v1/traces` and `/api/v1/otlp/v1/traces`. */
export function mountOtlp<E extends Env>(app: Hono<E>, deps: OtlpHttpDeps): void {
  const handle = otlpHttpHandler(deps);
  for (const path of OTLP_TRACE_PATHS) app.all(path, (c) => handle(c.req.raw));
}

async function readBody(request: Request, maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes)
    throw new StepwiseError('payload_too_large', `the body is larger than the limit of ${maxBytes} bytes`);
  const raw = Buffer.from(await request.arrayBuffer());
  if (raw.length > maxBytes) throw new StepwiseError('payload_too_large', `the body is larger than the limit of ${maxBytes} bytes`);
  const contentEncoding = (request.headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
  if (contentEncoding === 'identity' || contentEncoding === '') return raw;
  if (contentEncoding !== 'gzip' && contentEncoding !== 'deflate') {
    throw new StepwiseError(
      'unsupported_media_type',
      `Content-Encoding ${contentEncoding.slice(0, 40)} is not supported; use gzip or none`,
    );
  }
  try {
    return contentEncoding === 'gzip' ? gunzipSync(raw, { maxOutputLength: maxBytes }) : inflateSync(raw, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new StepwiseError('payload_too_large', `the uncompressed body is larger than the limit of ${maxBytes} bytes`);
    }
    throw new StepwiseError('invalid_request', `the body is not valid ${contentEncoding} data`);
  }
}

function describe(issues: Array<{ path: string; message: string }>): string {
  const shown = issues.slice(0, 5).map((i) => `${i.path}: ${i.message}`);
  return `${issues.length} span${issues.length === 1 ? '' : 's'} rejected (${shown.join('; ')}${issues.length > 5 ? '; …' : ''})`;
}

function success(encoding: Encoding, rejectedSpans: number, errorMessage: string): Response {
  if (encoding === 'protobuf') {
    return new Response(Buffer.from(encodeExportResponse(rejectedSpans, errorMessage)), {
      status: 200,
      headers: { 'content-type': 'application/x-protobuf' },
    });
  }
  const body = rejectedSpans > 0 || errorMessage !== '' ? { partialSuccess: { rejectedSpans: String(rejectedSpans), errorMessage } } : {};
  return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
}

function status(httpStatus: number, encoding: Encoding, code: number, message: string, headers: Record<string, string> = {}): Response {
  if (encoding === 'protobuf') {
    return new Response(Buffer.from(encodeRpcStatus(code, message)), {
      status: httpStatus,
      headers: { 'content-type': 'application/x-protobuf', ...headers },
    });
  }
  return new Response(JSON.stringify({ code, message }), {
    status: httpStatus,
    headers: { 'content-type': 'application/json', ...headers },
  });
}
