/**
 * scripts/build-package.js (every workspace's `build`) keeps dist/ exactly in step with src/: outputs of a deleted
 * source and stray files go, and a dist/ deleted by hand is rebuilt although tsc's build info says "up to date".
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { root, sh } from './helpers';

const pkg = fs.mkdtempSync(path.join(os.tmpdir(), 'depthblocks-build-'));
afterAll(() => fs.rmSync(pkg, { recursive: true, force: true }));

const build = (): string => sh(process.execPath, [path.join(root, 'scripts/build-package.js')], { cwd: pkg });
const dist = (): string[] => fs.readdirSync(path.join(pkg, 'dist')).sort();

test('stale outputs and stray files leave dist/; a deleted dist/ is rebuilt', () => {
  const compilerOptions = { rootDir: 'src', outDir: 'dist', composite: true, tsBuildInfoFile: 'tsconfig.tsbuildinfo', module: 'commonjs' };
  fs.writeFileSync(path.join(pkg, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['src'] }));
  fs.mkdirSync(path.join(pkg, 'src'));
  fs.writeFileSync(path.join(pkg, 'src/a.ts'), 'export const a = 1;\n');
  fs.writeFileSync(path.join(pkg, 'src/b.ts'), 'export const b = 2;\n');
  build();
  expect(dist()).toEqual(['a.d.ts', 'a.js', 'b.d.ts', 'b.js']);
  fs.rmSync(path.join(pkg, 'src/b.ts'));
  fs.writeFileSync(path.join(pkg, 'dist/.tsbuildinfo'), '{}');
  build();
  expect(dist()).toEqual(['a.d.ts', 'a.js']);
  fs.rmSync(path.join(pkg, 'dist'), { recursive: true });
  build();
  expect(dist()).toEqual(['a.d.ts', 'a.js']);
}, 60_000);
