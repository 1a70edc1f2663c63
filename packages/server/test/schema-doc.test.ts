import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { traceFormatJsonSchema } from '@stepwise/core';

describe('docs/trace-format.schema.json', () => {
  it('is the schema generated from the zod definitions (regenerate with npm run schema)', () => {
    const published = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../../docs/trace-format.schema.json'), 'utf8')) as unknown;
    expect(published).toEqual(traceFormatJsonSchema());
  });
});
