import { z } from 'zod';
import { CSV_ROW_KINDS, EXPORT_FORMATS, StepwiseError } from '@stepwise/core';
import { ImportService } from '../../services/import-service.js';
import { EXPORT_CONTENT_TYPES, EXPORT_EXTENSIONS, ExportService, type ExportSelection } from '../../services/export-service.js';
import { workspaceOf, type AppDeps } from '../context.js';
import { parseQuery } from '../query.js';
import type { Router } from '../router.js';
import { TracesQuery } from './trace-routes.js';

const ExportQuery = TracesQuery.omit({ limit: true, cursor: true }).extend({
  trace: z.string().min(1).optional(),
  format: z.enum(EXPORT_FORMATS).default('json'),
  rows: z.enum(CSV_ROW_KINDS).default('results'),
});

/**
 * `GET /api/v1/export`: a trace (`trace=`), a run (`run=`) or any trace-list filter, as Stepwise
 * JSON, JSONL, CSV (`rows=results|events`) or OTLP JSON. The body is streamed as it is produced.
 */
export function exportRoutes(r: Router, { store, pipeline }: AppDeps): void {
  const exports = new ExportService(store);
  const imports = new ImportService(pipeline);
  r.get('/api/v1/export', 'read', async (c) => {
    const { trace, format, rows, ...filter } = parseQuery(ExportQuery, c.req.query());
    const ws = workspaceOf(c);
    const selection: ExportSelection = trace !== undefined ? { trace } : { filter };
    await exports.check(ws, selection);
    const name = trace ?? filter.run ?? 'traces';
    const chunks = exports.chunks(ws, { format, rows, selection });
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      // Pulled as the client reads: a slow reader holds back the store reads, never the whole export in memory.
      async pull(controller) {
        const next = await chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      },
      async cancel() {
        await chunks.return(undefined);
      },
    });
    return new Response(body, {
      headers: {
        'content-type': EXPORT_CONTENT_TYPES[format],
        'content-disposition': `attachment; filename="${name.replace(/[^\w.-]/g, '_')}.${EXPORT_EXTENSIONS[format]}"`,
      },
    });
  });

  // A Stepwise JSON or JSONL export, back into this workspace (through the ingest pipeline).
  r.post('/api/v1/import', 'write', async (c) => {
    const type = (c.req.header('content-type') ?? '').trim();
    if (!/^application\/(?:json|x-ndjson|jsonl)\b/i.test(type)) {
      throw new StepwiseError('unsupported_media_type', 'send the export as application/json (JSON) or application/x-ndjson (JSONL)');
    }
    return c.json(await imports.importText(workspaceOf(c), await c.req.text()));
  });
}
