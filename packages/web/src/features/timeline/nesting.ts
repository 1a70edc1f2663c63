/** The fields of an event that nesting reads. */
export interface Nestable {
  id?: string;
  parent_id?: string;
}

const MAX_DEPTH = 16;

/**
 * How deep an event sits under its `parent_id` chain: 0 for a top-level event, 1 for a child, …
 * A parent that is not known (not loaded yet, or missing) still makes its child one level deep; a
 * cycle or an overlong chain stops at MAX_DEPTH instead of looping.
 *
 * @example nestingDepth({ parent_id: 'a' }, (id) => (id === 'a' ? { id: 'a' } : undefined)) // 1
 */
export function nestingDepth(event: Nestable, lookup: (id: string) => Nestable | undefined): number {
  let depth = 0;
  let current: Nestable | undefined = event;
  const seen = new Set<string>();
  while (current?.parent_id !== undefined && depth < MAX_DEPTH) {
    if (seen.has(current.parent_id)) break;
    seen.add(current.parent_id);
    depth++;
    current = lookup(current.parent_id);
  }
  return depth;
}
