import type { Trace } from '../trace/schema.js';
import type { DetectorContext } from './detector-context.js';
import type { FailureCategory, Finding, FindingBasis, FindingPattern } from './types.js';

/** A detector reads a trace and the shared context and returns its findings. Pure. */
export type Detect = (trace: Trace, ctx: DetectorContext) => Finding[];

/**
 * One failure-pattern detector with its metadata. The registry (`DETECTORS`) is the one list of
 * them: the pattern list, the table in docs/expectations.md and the MCP tool text come from it.
 *
 * @example { pattern: 'loop', category: 'reasoning_failure', basis: 'evidence', severity: 'high when …', what: 'the same call …', detect: detectLoops }
 */
export interface DetectorDescriptor {
  pattern: FindingPattern;
  /** The category its findings usually carry (a finding may name a closer one). */
  category: FailureCategory;
  /** The strongest basis its findings rest on; weaker readings of the same detector are `heuristic` hints. */
  basis: FindingBasis;
  /** When it is high (can fail a run) and when it is a milder finding, for the docs table. */
  severity: string;
  /** What it finds, in one plain clause, for the docs table and the MCP text. */
  what: string;
  detect: Detect;
}
