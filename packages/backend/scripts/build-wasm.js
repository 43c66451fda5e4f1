// Compiles src/simd/kernels.wat into src/simd/kernels-wasm.ts (base64, two variants of the
// memory import: shared for tfjs' threaded wasm build, plain for the single-threaded one). Needs the `wabt`
// dev dependency; the generated file is committed, so building the library does not.
// Run: npm run build:wasm -w @depthblocks/backend
const fs = require('fs');
const path = require('path');

async function compile(wabt, source, name) {
  const mod = wabt.parseWat(name, source, { simd: true, threads: true });
  const { buffer } = mod.toBinary({});
  mod.destroy();
  new WebAssembly.Module(buffer); // validates (wabt.js' own validate ignores the threads feature)
  return Buffer.from(buffer).toString('base64');
}

async function main() {
  const wabt = await require('wabt')();
  const dir = path.join(__dirname, '..', 'src', 'simd');
  const wat = fs.readFileSync(path.join(dir, 'kernels.wat'), 'utf8');
  const sharedImport = '(memory 1 65536 shared)';
  if (!wat.includes(sharedImport)) throw new Error(`kernels.wat must import ${sharedImport}`);
  const shared = await compile(wabt, wat, 'kernels.wat');
  const plain = await compile(wabt, wat.replace(sharedImport, '(memory 1)'), 'kernels.wat');
  const out =
    '// Generated from kernels.wat by scripts/build-wasm.js (npm run build:wasm -w @depthblocks/backend). Do not edit.\n' +
    `export const SHARED_MEMORY_WASM = '${shared}';\n` +
    `export const PLAIN_MEMORY_WASM = '${plain}';\n`;
  fs.writeFileSync(path.join(dir, 'kernels-wasm.ts'), out);
  console.log(`kernels-wasm.ts: ${Buffer.from(shared, 'base64').length} + ${Buffer.from(plain, 'base64').length} bytes`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
