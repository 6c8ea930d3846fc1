// The npm package's TypeScript declarations keep up with its JavaScript: every name
// the entry points export is declared in their .d.ts, and every value the .d.ts
// declares exists. A simple parse of top-level `export` statements, no compiler.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { root } from './helpers.mjs';

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

// { values, types }: names exported as runtime values and as types only.
function declaredExports(source) {
  const values = new Set();
  const types = new Set();
  for (const [, kind, name] of source.matchAll(/^export\s+(?:declare\s+)?(function|class|const|let|interface|type)\s+(\w+)/gm)) {
    (kind === 'interface' || kind === 'type' ? types : values).add(name);
  }
  for (const [, typeOnly, list] of source.matchAll(/^export\s+(type\s+)?\{([^}]*)\}/gm)) {
    for (const item of list.split(',').map((s) => s.trim()).filter(Boolean)) {
      const name = item.split(/\s+as\s+/).pop();
      (typeOnly ? types : values).add(name);
    }
  }
  return { values, types };
}

for (const [entry, target] of Object.entries(pkg.exports)) {
  const { default: file, types: dts } = target;
  test(`${entry}: every export of ${file} is declared in ${dts}, and nothing more`, async () => {
    const module = await import(pathToFileURL(join(root, file)).href);
    const { values, types } = declaredExports(readFileSync(join(root, dts), 'utf8'));
    const exported = Object.keys(module).sort();
    assert.deepEqual(exported.filter((name) => !values.has(name)), [], `exported by ${file} but not declared in ${dts}`);
    assert.deepEqual([...values].filter((name) => !(name in module)), [], `declared in ${dts} but not exported by ${file}`);
    assert.ok(types.size > 0, `${dts} declares the option, event and stats types`);
  });
}
