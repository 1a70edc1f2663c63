import { describe, expect, it } from 'vitest';
import { progressReporter } from './progress.js';

describe('export progress', () => {
  it('redraws one line on a terminal at most every interval and ends with the final count', () => {
    const written: string[] = [];
    let clock = 0;
    const progress = progressReporter({ isTTY: true, write: (t) => written.push(t) }, () => clock);
    progress.update({ traces: 1 });
    clock = 50;
    progress.update({ traces: 2 });
    clock = 150;
    progress.update({ traces: 3 });
    progress.done();
    expect(written).toEqual(['\rExported 1 trace', '\rExported 3 traces', '\rExported 3 traces\n']);
  });

  it('stays quiet when not on a terminal, and counts megabytes from a server', () => {
    const written: string[] = [];
    const quiet = progressReporter({ isTTY: false, write: (t) => written.push(t) });
    quiet.update({ traces: 5 });
    quiet.done();
    expect(written).toEqual([]);
    const bytes = progressReporter({ isTTY: true, write: (t) => written.push(t) });
    bytes.update({ bytes: 3 * 1_048_576 });
    bytes.done();
    expect(written).toEqual(['\rReceived 3.0 MB', '\rReceived 3.0 MB\n']);
  });
});
