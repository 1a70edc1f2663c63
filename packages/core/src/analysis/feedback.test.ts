import { describe, expect, it } from 'vitest';
import { findingKey } from './feedback.js';

describe('findingKey', () => {
  it('names a finding by its pattern and events, so an unchanged finding keeps its key', () => {
    expect(findingKey({ pattern: 'loop', event_indexes: [3, 4, 5] })).toBe('loop@3,4,5');
    expect(findingKey({ pattern: 'loop', event_indexes: [3, 4, 5] })).toBe(findingKey({ pattern: 'loop', event_indexes: [3, 4, 5] }));
  });

  it('tells apart the same pattern at other events, and a finding with no events', () => {
    expect(findingKey({ pattern: 'loop', event_indexes: [3, 4] })).not.toBe(findingKey({ pattern: 'loop', event_indexes: [3, 4, 5] }));
    expect(findingKey({ pattern: 'passing_failure', event_indexes: [] })).toBe('passing_failure@');
  });
});
