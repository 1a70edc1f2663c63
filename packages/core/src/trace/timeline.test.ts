import { describe, expect, it } from 'vitest';
import { collapseToolPath, formatToolPath } from './timeline.js';

describe('tool paths', () => {
  it('folds consecutive repeats of a tool into one step with a count', () => {
    const path = ['get_user', ...Array<string>(7).fill('get_reservation_details'), 'cancel', 'get_user'];
    expect(collapseToolPath(path)).toEqual([
      { tool: 'get_user', count: 1 },
      { tool: 'get_reservation_details', count: 7 },
      { tool: 'cancel', count: 1 },
      { tool: 'get_user', count: 1 },
    ]);
    expect(formatToolPath(path)).toBe('get_user → get_reservation_details ×7 → cancel → get_user');
  });

  it('says when no tool was called', () => {
    expect(formatToolPath([])).toBe('(no tools)');
  });
});
