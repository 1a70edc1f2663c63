import { useState } from 'react';
import { CopyButton } from './CopyButton';
import { MarkedText } from './MarkedText';

const CHILD_PAGE = 100;

/** A collapsible JSON tree with a copy button; strings show redaction and truncation markers. */
export function JsonViewer({ value, label, openDepth = 2 }: { value: unknown; label?: string; openDepth?: number }) {
  return (
    <div className="json-viewer">
      <div className="json-toolbar">
        {label && <span className="json-label">{label}</span>}
        <CopyButton text={() => JSON.stringify(value, null, 2) ?? 'undefined'} label="Copy JSON" />
      </div>
      <div className="json-body" role="tree">
        <JsonNode value={value} depth={0} openDepth={openDepth} />
      </div>
    </div>
  );
}

function JsonNode({ name, value, depth, openDepth }: { name?: string; value: unknown; depth: number; openDepth: number }) {
  const [open, setOpen] = useState(depth < openDepth);
  const [shown, setShown] = useState(CHILD_PAGE);
  const key = name !== undefined ? <span className="json-key">{name}: </span> : null;

  if (value === null || typeof value !== 'object') {
    return (
      <div className="json-line" role="treeitem">
        {key}
        <JsonScalar value={value} />
      </div>
    );
  }
  const isArray = Array.isArray(value);
  const entries: [string, unknown][] = isArray ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  const [openBracket, closeBracket] = isArray ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) {
    return (
      <div className="json-line" role="treeitem">
        {key}
        <span className="json-punct">{openBracket + closeBracket}</span>
      </div>
    );
  }
  return (
    <div className="json-branch" role="treeitem" aria-expanded={open}>
      <button type="button" className="json-toggle" onClick={() => setOpen(!open)} aria-label={open ? 'Collapse' : 'Expand'}>
        <span className="json-caret">{open ? '▾' : '▸'}</span>
        {key}
        <span className="json-punct">{openBracket}</span>
        {!open && (
          <span className="json-summary">
            {' '}
            {entries.length} {isArray ? (entries.length === 1 ? 'item' : 'items') : entries.length === 1 ? 'key' : 'keys'} {closeBracket}
          </span>
        )}
      </button>
      {open && (
        <div className="json-children" role="group">
          {entries.slice(0, shown).map(([k, v]) => (
            <JsonNode key={k} name={isArray ? undefined : JSON.stringify(k)} value={v} depth={depth + 1} openDepth={openDepth} />
          ))}
          {entries.length > shown && (
            <button type="button" className="btn btn-link" onClick={() => setShown(shown + CHILD_PAGE * 10)}>
              Show {Math.min(CHILD_PAGE * 10, entries.length - shown)} more of {entries.length - shown}
            </button>
          )}
          <span className="json-punct">{closeBracket}</span>
        </div>
      )}
    </div>
  );
}

function JsonScalar({ value }: { value: unknown }) {
  if (typeof value === 'string') {
    return (
      <span className="json-string">
        "<MarkedText text={value} />"
      </span>
    );
  }
  if (typeof value === 'number') return <span className="json-number">{String(value)}</span>;
  if (typeof value === 'boolean') return <span className="json-boolean">{String(value)}</span>;
  return <span className="json-null">{value === null ? 'null' : String(value)}</span>;
}
