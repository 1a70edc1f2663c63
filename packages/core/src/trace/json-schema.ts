import { z } from 'zod';
import { Expectations } from '../analysis/expectations-schema.js';
import { ResultItem, SyncReply, SyncRequest, Trace, TraceEvent } from './schema.js';

/** The published JSON Schema (draft 2020-12) of the wire format, generated from the zod schemas. */
export function traceFormatJsonSchema(): Record<string, unknown> {
  const registry = z.registry<{ id: string }>();
  registry.add(Trace, { id: 'Trace' });
  registry.add(TraceEvent, { id: 'Event' });
  registry.add(ResultItem, { id: 'ResultItem' });
  registry.add(SyncRequest, { id: 'SyncRequest' });
  registry.add(SyncReply, { id: 'SyncReply' });
  registry.add(Expectations, { id: 'Expectations' });
  const { schemas } = z.toJSONSchema(registry, { uri: (id) => `#/$defs/${id}`, unrepresentable: 'any' });
  const defs: Record<string, unknown> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    const { $schema: _drop, ...rest } = schema as Record<string, unknown>;
    defs[id] = rest;
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://stepwise.dev/schema/trace-format.json',
    title: 'Stepwise trace format',
    description: 'Traces, their events, and the sync_results request and reply.',
    $defs: defs,
  };
}
