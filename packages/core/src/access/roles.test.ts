import { describe, expect, it } from 'vitest';
import { describeRole, PERMISSION_LABELS, PERMISSION_NAMES } from './roles.js';

describe('role table', () => {
  it('says members cannot delete and admins cannot manage members', () => {
    expect(describeRole('member')).toEqual({ can: ['read', 'write'], cannot: ['delete', 'settings', 'keys', 'members', 'workspace'] });
    expect(describeRole('admin').cannot).toEqual(['members', 'workspace']);
    expect(describeRole('viewer').can).toEqual(['read']);
    expect(describeRole('owner').cannot).toEqual([]);
  });

  it('has words for every permission', () => {
    for (const p of PERMISSION_NAMES) expect(PERMISSION_LABELS[p].length).toBeGreaterThan(10);
  });
});
