/**
 * The committed kernels-wasm.ts must be kernels.wat compiled (scripts/build-wasm.js): the text is the source a
 * reviewer reads, the base64 is what runs.
 */
import * as fs from 'fs';
import * as path from 'path';
import { PLAIN_MEMORY_WASM, SHARED_MEMORY_WASM } from '../src/simd/kernels-wasm';

test('kernels-wasm.ts is kernels.wat compiled (run npm run build:wasm -w @depthblocks/backend after editing it)', async () => {
  const wabt = await require('wabt')();
  const wat = fs.readFileSync(path.join(__dirname, '..', 'src', 'simd', 'kernels.wat'), 'utf8');
  const compile = (source: string): string => {
    const mod = wabt.parseWat('kernels.wat', source, { simd: true, threads: true });
    const { buffer } = mod.toBinary({});
    mod.destroy();
    return Buffer.from(buffer).toString('base64');
  };
  expect(compile(wat)).toBe(SHARED_MEMORY_WASM);
  expect(compile(wat.replace('(memory 1 65536 shared)', '(memory 1)'))).toBe(PLAIN_MEMORY_WASM);
});
