// The package's TypeScript declarations are emitted from its JSDoc-typed JavaScript
// (tools/types.sh), so they cannot drift from the code by hand; what can still go wrong
// is checked here: the JavaScript no longer type-checks strictly (nothing is emitted),
// an entry's `types` in package.json names a file the emit does not write, the emitted
// files do not compile as an installed package's user sees them (an import that does
// not resolve, such as the wasm module's declaration), or an entry's runtime module
// (every condition: the browser's, Node's) exports other names than its declaration,
// the typed example (examples/typed, a user of every export) no longer compiles against
// them, or docs/API.md no longer says what they declare.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { root } from './helpers.mjs';

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const typesDir = join(root, 'build/types');

// Each entry with declarations: { entry, types, runtimes: { condition: file } }.
const entries = Object.entries(pkg.exports)
  .filter(([, target]) => typeof target === 'object' && target.types)
  .map(([entry, { types, ...conditions }]) => ({ entry, types: join(root, types), runtimes: conditions }));

// One program over every entry's declarations, compiled as a user's project would:
// strict, Node's module resolution, the DOM, and no skipping of declaration files.
let program;
let emit;

before(() => {
  emit = spawnSync('bash', [join(root, 'tools/types.sh')], { cwd: root, encoding: 'utf8' });
  const existing = entries.map(({ types }) => types).filter((file) => existsSync(file));
  program = ts.createProgram(existing, {
    strict: true, noEmit: true, skipLibCheck: false, target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'], types: ['node'],
  });
});

test('tools/types.sh type-checks the JavaScript strictly and emits the declarations, quietly', () => {
  assert.equal(emit.status, 0, `tools/types.sh failed:\n${emit.stdout}${emit.stderr}`);
  assert.equal(emit.stdout + emit.stderr, '', 'tools/types.sh is quiet on success');
});

test('package.json declares types for every entry', () => {
  assert.ok(entries.length > 0, 'no entry of package.json "exports" has "types"');
  const untyped = Object.keys(pkg.exports).filter((entry) => !entries.some((e) => e.entry === entry));
  assert.deepEqual(untyped, [], 'entries without "types"');
});

test('the emitted declarations compile as an installed package\'s user sees them', () => {
  const missing = entries.filter(({ types }) => !existsSync(types)).map(({ types }) => relative(root, types));
  assert.deepEqual(missing, [], 'declarations not emitted');
  const ours = (file) => file.startsWith(typesDir);
  const problems = ts.getPreEmitDiagnostics(program)
    .filter((d) => !d.file || ours(d.file.fileName))
    .map((d) => {
      const where = d.file ? `${relative(root, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: ` : '';
      return where + ts.flattenDiagnosticMessageText(d.messageText, '\n');
    });
  assert.deepEqual(problems, []);
});

// { values, types }: the names a declaration file exports, `export *` followed.
function declaredExports(file) {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const values = new Set();
  const types = new Set();
  for (const symbol of checker.getExportsOfModule(checker.getSymbolAtLocation(source))) {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    (target.flags & ts.SymbolFlags.Value ? values : types).add(symbol.name);
  }
  return { values, types };
}

for (const { entry, types, runtimes } of entries) {
  for (const [condition, file] of Object.entries(runtimes)) {
    test(`${entry} (${condition}: ${file}) exports exactly the values ${relative(root, types)} declares`, async () => {
      assert.ok(existsSync(types), `${relative(root, types)} was not emitted`);
      const module = await import(pathToFileURL(join(root, file)).href);
      const { values, types: typeNames } = declaredExports(types);
      const exported = Object.keys(module).sort();
      assert.deepEqual(exported.filter((name) => !values.has(name)), [], `exported by ${file} but not declared`);
      assert.deepEqual([...values].filter((name) => !(name in module)), [], `declared but not exported by ${file}`);
      assert.ok(typeNames.size > 0, `${relative(root, types)} names no option, event or stats type`);
    });
  }
}

test('the typed example (examples/typed) compiles against the emitted declarations', () => {
  const tsc = spawnSync(join(root, 'node_modules/.bin/tsc'), ['-p', join(root, 'examples/typed/tsconfig.json')], { cwd: root, encoding: 'utf8' });
  assert.equal(tsc.status, 0, `tsc -p examples/typed:\n${tsc.stdout}${tsc.stderr}`);
});

test('docs/API.md is what the emitted declarations say (node tools/api-docs.mjs)', () => {
  const check = spawnSync(process.execPath, [join(root, 'tools/api-docs.mjs'), '--check'], { cwd: root, encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
});
