/** @jest-environment ./scripts/jest-environment-onnx.js */
/**
 * The README's ONNX commands, as written there (bash block of "ONNX: export, and inference in ONNX Runtime"),
 * run through main() in a temporary working directory with a photos/ folder.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { setupTestBackend } from '@depthblocks/backend';
import { encodeRgb, renderSyntheticSample } from '@depthblocks/datasets';
import { main } from '../src';

const README = fs.readFileSync(path.join(__dirname, '../README.md'), 'utf8');
let cwd: string;
let dir: string;
beforeAll(async () => {
  await setupTestBackend();
  cwd = process.cwd();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depthblocks-cli-readme-'));
  process.chdir(dir);
  fs.mkdirSync('photos');
  const s = renderSyntheticSample(3, 64, 48);
  fs.writeFileSync('photos/room.png', await encodeRgb(s.rgb, s.width, s.height));
});
afterAll(() => {
  process.chdir(cwd);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the README ONNX commands run, as written', async () => {
  const block = /## ONNX: export, and inference in ONNX Runtime[\s\S]*?```bash\n([\s\S]*?)```/.exec(README)![1];
  const commands = block
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter(Boolean);
  expect(commands).toHaveLength(5);
  const quiet = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    for (const c of commands) {
      const args = c.split(/\s+/);
      expect(args.slice(0, 2)).toEqual(['npx', 'depthblocks']);
      const extra = args[2] === 'train' ? ['--quiet', '--threads', '1', '--backend', 'wasm'] : [];
      expect([c, await main([...args.slice(2), ...extra])]).toEqual([c, 0]);
    }
  } finally {
    quiet.mockRestore();
    stderr.mockRestore();
  }
  expect(fs.existsSync('runs/onnx-demo/model/model.onnx')).toBe(true);
  expect(fs.readdirSync('preds-onnx')).toContain('room_depth.png');
  expect(fs.readdirSync('preds-file')).toContain('room_depth.png');
});
