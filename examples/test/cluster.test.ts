/**
 * The cluster examples (examples/k8s, examples/slurm) call the CLI with options it knows: the Kubernetes Job is
 * Indexed with DEPTHBLOCKS_SHARDS equal to its completions, and both run `eval --shard auto --out-dir`, whose
 * arguments the CLI's parser accepts (it fails later, on the missing files, not on an unknown option). The shard
 * mechanics themselves are tested in packages/cli/test/onnx.test.ts (N processes, bit-identical merge).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { main } from '@depthblocks/cli';

const root = path.resolve(__dirname, '../..');
const job = fs.readFileSync(path.join(root, 'examples/k8s/eval-onnx-indexed-job.yaml'), 'utf8');
const merge = fs.readFileSync(path.join(root, 'examples/k8s/eval-onnx-merge-job.yaml'), 'utf8');
const slurm = fs.readFileSync(path.join(root, 'examples/slurm/eval-onnx-array.sh'), 'utf8');

/** The `- item` lines under a container's `args:` (block list) or its `args: [a, b]` flow list. */
function argsOf(yaml: string): string[] {
  const flow = /^\s*args: \[(.*)\]$/m.exec(yaml);
  if (flow) return flow[1].split(',').map((s) => s.trim());
  const block = /^(\s*)args:\n((?:\1 {2}- .*\n)+)/m.exec(yaml)!;
  return block[2]
    .trim()
    .split('\n')
    .map((l) =>
      l
        .trim()
        .replace(/^- /, '')
        .replace(/^"(.*)"$/, '$1'),
    );
}

async function parsedBy(args: string[]): Promise<string> {
  try {
    await main(args);
    return 'ran';
  } catch (e) {
    return (e as Error).message;
  }
}

test('the Kubernetes Indexed Job: Indexed, DEPTHBLOCKS_SHARDS = completions, eval --shard auto --out-dir', async () => {
  expect(job).toMatch(/^\s*completionMode: Indexed$/m);
  const completions = /^\s*completions: (\d+)$/m.exec(job)![1];
  expect(/name: DEPTHBLOCKS_SHARDS\n\s*value: "(\d+)"/.exec(job)![1]).toBe(completions);
  const args = argsOf(job);
  expect(args.slice(0, 1)).toEqual(['eval']);
  expect(args).toEqual(expect.arrayContaining(['--shard', 'auto', '--out-dir', '--runtime', 'onnx']));
  const env = { JOB_COMPLETION_INDEX: '1', DEPTHBLOCKS_SHARDS: completions };
  Object.assign(process.env, env);
  try {
    expect(await parsedBy(args)).toMatch(/Config file not found: \/config\/run.json/);
  } finally {
    for (const k of Object.keys(env)) delete process.env[k];
  }
  expect(argsOf(merge)).toEqual(['eval', 'merge', '/results', '--out', '/results/merged.json']);
});

test('the Slurm array script: valid bash, eval --shard auto --out-dir with options the CLI knows', async () => {
  expect(spawnSync('bash', ['-n', path.join(root, 'examples/slurm/eval-onnx-array.sh')]).status).toBe(0);
  expect(slurm).toMatch(/^#SBATCH --array=0-\d+$/m);
  const line = /npx depthblocks (eval [^\n]*\\\n[^\n]*)/.exec(slurm)![1].replace(/\\\n/, ' ');
  const args = line
    .replace(/"\$MODEL"/, 'm.onnx')
    .replace(/"\$CONFIG"/, 'missing-run.json')
    .replace(/"\$RESULTS"/, 'results')
    .replace(/"\$\{SLURM_CPUS_PER_TASK:-2\}"/, '2')
    .split(/\s+/)
    .filter(Boolean);
  expect(args).toEqual([
    'eval',
    '--model',
    'm.onnx',
    '--config',
    'missing-run.json',
    '--runtime',
    'onnx',
    '--shard',
    'auto',
    '--out-dir',
    'results',
    '--threads',
    '2',
  ]);
  expect(await parsedBy(args)).toMatch(/Config file not found: missing-run.json/);
});
