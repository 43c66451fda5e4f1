/** The ONNX Runtime section of BENCHMARKS.md: inference next to tfjs wasm and PyTorch, export time and size, graphs. */
import type { ChildRecord, RunRecord, TorchRecord } from './report';
import { DD } from './plan';
import { mib, ms, num } from './stats';
import type { TaskResult } from './types';

/** The configurations this section reports (kept out of the tfjs tables). */
export const ONNX_IDS = ['onnx-n', 'torch-onnx'];

const sz = (s: [number, number]): string => `${s[0]}x${s[1]}`;
const ratio = (a?: number, b?: number): string => (a && b ? `${(a / b).toFixed(2)}x` : '-');

function result(c: ChildRecord | undefined, kind: string, preset?: string, size?: [number, number]): TaskResult | undefined {
  return c?.results.find(
    (r) =>
      r.task.kind === kind &&
      (preset === undefined || ('preset' in r.task && r.task.preset === preset)) &&
      (size === undefined || ('size' in r.task && sz(r.task.size) === sz(size))),
  )?.result;
}

function cell(r: TaskResult | undefined): string {
  if (!r) return '-';
  if (r.error) return `error: ${String(r.error).split('\n')[0].slice(0, 80)}`;
  if (r.skipped) return `skipped (${r.skipped})`;
  return ms(r.medianMs);
}

const LABELS: Record<string, string> = {
  [DD]: 'DenseDepth-169',
  unet_resnet34: 'U-Net ResNet-34',
  lraspp_mobilenetv3: 'LR-ASPP MobileNetV3',
};

export function onnxSection(rec: RunRecord): string[] {
  const c = rec.children.find((x) => x.plan.id === 'onnx-n');
  if (!c) return [];
  const t: TorchRecord | undefined = rec.torch.find((x) => x.plan.id === 'torch-onnx');
  const threads = c.info?.threads ?? c.plan.threads;
  const L: string[] = [];
  L.push(`## ONNX Runtime: inference next to tfjs wasm and PyTorch (${threads} threads, batch 1)`);
  L.push('');
  L.push(
    `One child process ran tfjs wasm and onnxruntime-node (CPU, \`intraOpNumThreads\` ${threads}, sequential, all graph optimisations) on the same model, ` +
      `one after the other; PyTorch (bench/torch/densedepth.py and presets.py, ${t?.result?.threads ?? threads} threads) ran right after. "ORT (ours)" is depthblocks' \`exportOnnx\` ` +
      '(NHWC input transposed inside the graph, batch norms folded); "ORT (PyTorch\'s export)" is the same DenseDepth-169 written by `torch.onnx.export` ' +
      '(opset 17, constant folding). Export time and file size are those of `exportOnnx` (the PyTorch column: `torch.onnx.export`). ' +
      `Load average at the child's start / end: ${c.loadStart?.map((x) => x.toFixed(2)).join(' / ') ?? '-'} / ${c.loadEnd?.map((x) => x.toFixed(2)).join(' / ') ?? '-'}.`,
  );
  L.push('');
  const cores = rec.machine.cores;
  if ((c.loadStart?.[0] ?? 0) > cores * 0.5) {
    L.push(
      `> **Measured under load**: the 1-minute load average was ${c.loadStart![0].toFixed(1)} on ${cores} cores when these rows started (other processes ` +
        'were running), so every time here is inflated, and unevenly: the ratios are indicative only. Re-run on an idle machine: ' +
        '`node bench/dist/run.js --only onnx-n,torch-onnx --merge bench/results.json`.',
    );
    L.push('');
  }
  L.push("| model | input | tfjs wasm | PyTorch | ORT (ours) | ORT / PyTorch | ORT / tfjs | ORT (PyTorch's export) | export | file |");
  L.push('|---|---|---|---|---|---|---|---|---|---|');
  const rows = c.results.filter((r) => r.task.kind === 'onnx');
  for (const { task, result: r } of rows) {
    if (task.kind !== 'onnx') continue;
    const tfjs = result(c, 'infer', task.preset, task.size);
    const torch =
      task.preset === DD
        ? t?.result?.infer.find((x) => sz(x.size) === sz(task.size))
        : t?.result?.other?.find((x) => x.name === task.preset && sz(x.size) === sz(task.size));
    const torchOrt = task.preset === DD ? result(c, 'onnx-torch', undefined, task.size) : undefined;
    L.push(
      `| ${LABELS[task.preset] ?? task.preset} | ${sz(task.size)} | ${cell(tfjs)} | ${torch ? ms(torch.medianMs) : '-'} | ` +
        `**${cell(r)}** | ${ratio(r.medianMs, torch?.medianMs)} | ${ratio(r.medianMs, tfjs?.medianMs)} | ${torchOrt ? cell(torchOrt) : '-'} | ` +
        `${r.exportMs ? `${num((r.exportMs as number) / 1000, 1)} s` : '-'}${torchOrt?.exportMs ? ` (PyTorch ${num((torchOrt.exportMs as number) / 1000, 1)} s)` : ''} | ` +
        `${r.bytes ? mib(r.bytes as number) : '-'}${torchOrt?.bytes ? ` (PyTorch ${mib(torchOrt.bytes as number)})` : ''} |`,
    );
  }
  L.push('');
  const ours = rows.find((x) => x.task.kind === 'onnx' && x.result.graph)?.result.graph as
    { ops: Record<string, number>; optimizedOps: Record<string, number> } | undefined;
  const theirs = result(c, 'onnx-torch')?.graph as { ops: Record<string, number>; optimizedOps: Record<string, number> } | undefined;
  if (ours && theirs) {
    L.push(
      "DenseDepth-169 graphs, ours and PyTorch's, as written and as ONNX Runtime runs them (after its fusions and NCHWc layout; op counts):",
    );
    L.push('');
    L.push("| op | ours, written | PyTorch's, written | ours, optimised by ORT | PyTorch's, optimised by ORT |");
    L.push('|---|---|---|---|---|');
    const ops = [
      ...new Set([
        ...Object.keys(ours.ops),
        ...Object.keys(theirs.ops),
        ...Object.keys(ours.optimizedOps),
        ...Object.keys(theirs.optimizedOps),
      ]),
    ].sort();
    for (const op of ops) {
      L.push(`| ${op} | ${ours.ops[op] ?? 0} | ${theirs.ops[op] ?? 0} | ${ours.optimizedOps[op] ?? 0} | ${theirs.optimizedOps[op] ?? 0} |`);
    }
    L.push('');
  }
  return L;
}
