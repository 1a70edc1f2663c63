import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

// DESIGN.md §2: core ← sdk / server / web. This test is the rule's enforcement.
const root = resolve(import.meta.dirname, '../../..');
const packagesDir = join(root, 'packages');

interface ImportSite {
  file: string;
  specifier: string;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) {
      if (name === 'node_modules' || name === 'dist') continue;
      out.push(...sourceFiles(full));
    } else if (/\.(ts|tsx)$/.test(name) && !/\.test\.(ts|tsx)$/.test(name) && !name.endsWith('.d.ts')) {
      out.push(full);
    }
  }
  return out;
}

function importsOf(file: string): ImportSite[] {
  const text = readFileSync(file, 'utf8');
  const sites: ImportSite[] = [];
  const re =
    /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g;
  for (const match of text.matchAll(re)) {
    const specifier = match[1] ?? match[2] ?? match[3];
    if (specifier) sites.push({ file: relative(root, file), specifier });
  }
  return sites;
}

const packages = readdirSync(packagesDir).filter((p) => statSync(join(packagesDir, p, 'src'), { throwIfNoEntry: false })?.isDirectory());
const sites = new Map(packages.map((p) => [p, sourceFiles(join(packagesDir, p, 'src')).flatMap(importsOf)]));
const isBuiltin = (s: string) => s.startsWith('node:') || builtinModules.includes(s.split('/')[0]!);

describe('package boundaries (DESIGN.md §2)', () => {
  it('finds the packages and their imports', () => {
    expect(packages).toEqual(expect.arrayContaining(['core', 'sdk', 'server']));
    expect(sites.get('core')!.length).toBeGreaterThan(10);
  });

  it('keeps core pure: only zod and its own files, no node:* and no sibling package', () => {
    const offenders = sites
      .get('core')!
      .filter((s) => !(s.specifier.startsWith('.') || s.specifier === 'zod' || s.specifier.startsWith('zod/')));
    expect(offenders).toEqual([]);
  });

  it('lets sdk, server and web import core but not each other', () => {
    const offenders: ImportSite[] = [];
    for (const [pkg, list] of sites) {
      if (pkg === 'core') continue;
      for (const s of list) {
        const m = /^@stepwise\/([\w-]+)/.exec(s.specifier);
        if (m && m[1] !== 'core' && m[1] !== pkg) offenders.push(s);
        if (/^@stepwise\/core\/./.test(s.specifier)) offenders.push(s); // no reaching into core's internals
      }
    }
    expect(offenders).toEqual([]);
  });

  it('keeps the sdk on core: at run time only @stepwise/core, node built-ins and its own files', () => {
    const offenders = sites.get('sdk')!.filter((s) => {
      if (s.specifier.startsWith('.') || s.specifier === '@stepwise/core' || isBuiltin(s.specifier)) return false;
      // vitest's reporter types are fine as types: they vanish from the build, so vitest stays optional.
      const text = readFileSync(join(root, s.file), 'utf8');
      return !new RegExp(`import type [^;]*from '${s.specifier.replace(/[/.]/g, '\\$&')}'`).test(text);
    });
    expect(offenders).toEqual([]);
  });

  it('keeps relative imports inside their own package', () => {
    const offenders: ImportSite[] = [];
    for (const [pkg, list] of sites) {
      for (const s of list) {
        if (!s.specifier.startsWith('.')) continue;
        const target = resolve(root, dirname(s.file), s.specifier);
        if (!target.startsWith(join(packagesDir, pkg, 'src') + sep)) offenders.push(s);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('keeps the web dashboard off node built-ins', () => {
    expect((sites.get('web') ?? []).filter((s) => isBuiltin(s.specifier))).toEqual([]);
  });

  // Inside the server: the doors (REST `http`, `otlp`, `mcp`, `cli`) sit side by side on the layers
  // below them (services, ingest, store, access, client, presentation…); only the top-level entry
  // files (the composition roots: app.ts, server.ts, main.ts, bin.ts) wire doors together.
  const DOORS = ['http', 'otlp', 'mcp', 'cli'];
  // Entry files a lower layer or a door may use: configuration and the runtime (services over a store).
  const SHARED_ENTRY = ['config.js', 'runtime.js'];
  const serverSrc = join(packagesDir, 'server', 'src');
  const areaOf = (path: string) => {
    const parts = relative(serverSrc, path).split(sep);
    return parts.length > 1 ? parts[0]! : '(entry)';
  };
  const serverEdges = sites
    .get('server')!
    .filter((s) => s.specifier.startsWith('.'))
    .map((s) => {
      const target = resolve(root, dirname(s.file), s.specifier);
      return { ...s, from: areaOf(join(root, s.file)), to: areaOf(target), toFile: relative(serverSrc, target) };
    });

  it('finds the doors of the server', () => {
    for (const door of ['http', 'mcp', 'cli'])
      expect(
        serverEdges.some((e) => e.from === door),
        door,
      ).toBe(true);
  });

  it('keeps the doors of the server from importing each other', () => {
    const offenders = serverEdges.filter((e) => DOORS.includes(e.from) && DOORS.includes(e.to) && e.from !== e.to);
    expect(offenders).toEqual([]);
  });

  it('lets only the entry files (composition roots) import doors or the other entry files', () => {
    const offenders = serverEdges.filter((e) => {
      if (e.from === '(entry)' || e.from === 'bench') return false;
      if (DOORS.includes(e.to)) return e.from !== e.to;
      return e.to === '(entry)' && !SHARED_ENTRY.includes(e.toFile);
    });
    expect(offenders).toEqual([]);
  });

  it('keeps the shared text of the CLI and MCP in one presentation module', () => {
    const presentation = serverEdges.filter((e) => e.to === 'presentation' && e.from !== 'presentation').map((e) => e.from);
    expect(new Set(presentation)).toEqual(new Set(['cli', 'mcp']));
  });
});
