/** @jest-environment ./scripts/jest-environment-onnx.js */
/**
 * The exported files pass the official ONNX checker (`onnx.checker.check_model(..., full_check=True)`, which also
 * runs ONNX shape inference) of Debian's python3-onnx: one model per encoder (the decoders in turn, so every
 * layer class appears), a preset, the NCHW / kept-batch-norm / raw variant and an external-data file. The
 * committed protobuf descriptor is checked against onnx.proto. Skipped loudly when python3-onnx is absent; under
 * CI=true its absence is a failure (CI installs it: .ci/run).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { setupTestBackend } from '@depthblocks/backend';
import { listEncoders } from '@depthblocks/encoders';
import { listDecoders } from '@depthblocks/decoders';
import { buildPreset, createDepthModel, exportOnnx, writeOnnx, lrasppMobilenetV3, type ExportOnnxOptions } from '../src/node';

const PYTHON = '/usr/bin/python3';
const hasOnnx = fs.existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import onnx'], { encoding: 'utf8' }).status === 0;
const MISSING = `the ONNX checker tests need Debian's python3-onnx (${PYTHON} -c 'import onnx' failed): apt-get install -y python3-onnx`;
if (!hasOnnx && /^(1|true)$/i.test(process.env.CI ?? '')) {
  // CI must run the checker (.ci/run installs python3-onnx): a missing one is a failure there, not a skip
  test('python3-onnx is installed (CI is set)', () => {
    throw new Error(MISSING);
  });
} else if (!hasOnnx) console.warn(`\n\n*** SKIPPED: ${MISSING} ***\n\n`);
const testPy = hasOnnx ? test : test.skip;

let dir: string;
beforeAll(async () => {
  await setupTestBackend();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depthblocks-onnx-check-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs the checker on files; returns { file: 'ok' | error } and each file's metadata keys and opset. */
function check(files: string[]): Record<string, { result: string; keys: string[]; opset: number; ir: number }> {
  const script = `
import json, sys, onnx
out = {}
for f in sys.argv[1:]:
    try:
        onnx.checker.check_model(f, full_check=True)
        m = onnx.load(f, load_external_data=False)
        out[f] = {"result": "ok", "keys": [p.key for p in m.metadata_props], "opset": m.opset_import[0].version, "ir": m.ir_version}
    except Exception as e:
        out[f] = {"result": str(e)[:500], "keys": [], "opset": 0, "ir": 0}
print(json.dumps(out))
`;
  const r = spawnSync(PYTHON, ['-c', script, ...files], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

async function save(model: Parameters<typeof exportOnnx>[0], name: string, options: ExportOnnxOptions = {}): Promise<string> {
  // weights outside the .onnx: the checker reads the graph, and nothing big goes through the pipe or memory twice
  const e = await exportOnnx(model, { externalDataThreshold: 0, externalDataLocation: `${name}.data`, ...options });
  return writeOnnx(e, path.join(dir, `${name}.onnx`))[0];
}

testPy('every encoder (with each decoder in turn), a preset and the export variants pass onnx.checker.check_model', async () => {
  const decoders = listDecoders();
  const files: string[] = [];
  for (const [i, e] of listEncoders()
    .filter((x) => x.name !== 'unet_scratch')
    .entries()) {
    const d = decoders[i % decoders.length];
    const { model } = createDepthModel({
      encoder: e.name,
      decoder: { name: d.name, options: d.tinyOptions },
      depth: { kind: 'unit', maxDepth: 10 },
    });
    files.push(await save(model, `${e.name}-${d.name}`));
    model.dispose();
  }
  const preset = buildPreset(lrasppMobilenetV3());
  files.push(await save(preset, 'lraspp_mobilenetv3'));
  files.push(
    await save(preset, 'lraspp_mobilenetv3-nchw-bn-raw-fixed', { layout: 'nchw', keepBatchNorm: true, output: 'raw', fixedSize: true }),
  );
  const inline = await exportOnnx(preset);
  files.push(writeOnnx(inline, path.join(dir, 'lraspp_inline.onnx'))[0]);
  preset.model.dispose();
  const results = check(files);
  for (const f of files) {
    expect([path.basename(f), results[f].result]).toEqual([path.basename(f), 'ok']);
    expect(results[f].keys).toEqual([
      'depthblocks.format',
      'depthblocks.input',
      'depthblocks.output',
      'depthblocks.config',
      'depthblocks.exporter',
    ]);
    expect([results[f].opset, results[f].ir]).toEqual([17, 8]);
  }
});

testPy('a broken model fails the checker (the check can fail)', async () => {
  const { model } = createDepthModel({ encoder: 'mobilenetv3_large', decoder: { name: 'lraspp', options: { interChannels: 8 } } });
  const file = await save(model, 'to-break');
  model.dispose();
  const { decodeOnnxModel } = await import('../src');
  const { encodeModel } = await import('../src/onnx/proto');
  const proto = decodeOnnxModel(fs.readFileSync(file));
  proto.graph.node[3].input[0] = 'no_such_value';
  fs.writeFileSync(file, encodeModel(proto));
  expect(check([file])[file].result).toMatch(/no_such_value/);
});

testPy('the committed protobuf descriptor is what scripts/gen-onnx-proto.js makes from onnx.proto', () => {
  const proto = '/usr/lib/python3/dist-packages/onnx/onnx.proto';
  if (!fs.existsSync(proto)) return console.warn(`SKIPPED: descriptor check: ${proto} is absent`);
  const r = spawnSync(process.execPath, [path.join(__dirname, '../../../scripts/gen-onnx-proto.js'), '--check', proto], {
    encoding: 'utf8',
  });
  expect(r.stdout).toMatch(/is up to date/);
  expect(r.status).toBe(0);
});
