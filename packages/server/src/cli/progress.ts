import type { ExportProgress } from '../client/backend.js';

export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * A one-line progress indicator ("Exported 1234 traces", or megabytes received from a server),
 * redrawn at most every `intervalMs`, on a terminal only: in CI and pipes it stays quiet.
 */
export function progressReporter(stream: ProgressStream | null, now: () => number = Date.now, intervalMs = 100) {
  const on = stream?.isTTY === true;
  let last = Number.NEGATIVE_INFINITY;
  let text = '';
  return {
    update: (p: ExportProgress) => {
      if (!on) return;
      text =
        p.traces !== undefined
          ? `Exported ${p.traces} trace${p.traces === 1 ? '' : 's'}`
          : `Received ${((p.bytes ?? 0) / 1_048_576).toFixed(1)} MB`;
      if (now() - last < intervalMs) return;
      last = now();
      stream.write(`\r${text}`);
    },
    done: () => {
      if (on && text) stream.write(`\r${text}\n`);
    },
  };
}
