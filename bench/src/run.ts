/**
 * `npm run bench` (or `node bench/dist/run.js [--quick] [--cap-minutes M]`): runs every backend configuration in
 * its own child process (bench/dist/one.js), the PyTorch reference (bench/torch/densedepth.py) when torch is
 * importable, and writes bench/BENCHMARKS.md and bench/results.json.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { makePlan, type ChildPlan, type TorchPlan } from './plan';
import { writeReport, type RunRecord, type ChildRecord, type TorchRecord } from './report';
import { keepBrowserSection } from './report-browser';
import type { Task, TaskResult } from './types';

const BENCH_DIR = path.resolve(__dirname, '..');

function log(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

function machine(): RunRecord['machine'] {
  const cpus = os.cpus();
  let tfjs = '?';
  try {
    tfjs = (require('@tensorflow/tfjs/package.json') as { version: string }).version;
  } catch {
    /* not resolvable */
  }
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    totalMemBytes: os.totalmem(),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    tfjs,
  };
}

/** Runs a command, streaming its stderr through, collecting stdout lines; killed after `timeoutS`. */
function runProcess(
  cmd: string,
  args: string[],
  timeoutS: number,
  onLine: (line: string) => void,
  onSpawn?: (child: { kill(sig: string): void }) => void,
): Promise<{ code: number | null; signal: string | null; timedOut: boolean; stderrTail: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    onSpawn?.({ kill: (sig) => child.kill(sig as NodeJS.Signals) });
    let buf = '';
    let errTail = '';
    let timedOut = false;
    const timer = setTimeout(
      () => {
        timedOut = true;
        child.kill('SIGKILL');
      },
      Math.max(1, timeoutS) * 1000,
    );
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        onLine(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      process.stderr.write(d);
      errTail = (errTail + d.toString()).slice(-4000);
    });
    child.on('error', (e) => {
      errTail += String(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (buf) onLine(buf);
      resolve({ code, signal, timedOut, stderrTail: errTail });
    });
  });
}

/**
 * Runs a configuration's tasks in child processes. A child that sends no line (task result or step heartbeat)
 * for `stallS` seconds is killed and its current task recorded as hung; a child that crashes has its current
 * task recorded with the error. Either way the remaining tasks continue in a fresh child.
 */
async function runChild(p: ChildPlan, timeoutS: number): Promise<ChildRecord> {
  const rec: ChildRecord = { plan: p, results: [], loadStart: os.loadavg(), startedAt: new Date().toISOString() };
  const t0 = performance.now();
  const stallS = p.capS * 1.5 + 120;
  let remaining = [...p.tasks];
  while (remaining.length > 0) {
    const left = timeoutS - (performance.now() - t0) / 1000;
    if (left < 5) {
      rec.error = `${rec.error ? rec.error + '; ' : ''}stopped by the run's time cap (tasks not listed were not run)`;
      break;
    }
    const args = [
      path.join(BENCH_DIR, 'dist', 'one.js'),
      '--backend',
      p.backend,
      '--threads',
      String(p.threads),
      '--warmup',
      String(p.warmup),
      '--reps',
      String(p.reps),
      '--cap',
      String(p.capS),
      '--tasks',
      JSON.stringify(remaining),
    ];
    let done = 0;
    let lastLine = performance.now();
    let stalled = false;
    let child: { kill(sig: string): void } | undefined;
    const watchdog = setInterval(() => {
      if ((performance.now() - lastLine) / 1000 > stallS && child) {
        stalled = true;
        child.kill('SIGKILL');
      }
    }, 5000);
    const r = await runProcess(
      process.execPath,
      args,
      left,
      (line) => {
        lastLine = performance.now();
        if (line.startsWith('BENCH_TASK ')) {
          rec.results.push(JSON.parse(line.slice(11)) as { task: Task; result: TaskResult });
          done++;
        } else if (line.startsWith('BENCH_INFO ')) rec.info = JSON.parse(line.slice(11)) as ChildRecord['info'];
        else if (line.startsWith('BENCH_ERROR ')) rec.error = line.slice(12);
      },
      (c) => (child = c),
    );
    clearInterval(watchdog);
    remaining = remaining.slice(done);
    if (rec.error && done === 0 && !stalled && r.code === 0) break; // backend unavailable
    if (r.timedOut) {
      rec.error = `${rec.error ? rec.error + '; ' : ''}stopped by the run's time cap after ${timeoutS.toFixed(0)} s (tasks not listed were not run)`;
      break;
    }
    if (remaining.length === 0 || r.code === 0) break;
    const task = remaining.shift()!;
    const why = stalled
      ? `hung: no step finished for ${stallS.toFixed(0)} s (the child was killed; threaded wasm does this when its heap runs out)`
      : `the child crashed (exit ${r.code ?? r.signal}): ${r.stderrTail
          .split('\n')
          .filter((l) => l.trim())
          .slice(-8)
          .join(' | ')
          .slice(0, 600)}`;
    rec.results.push({ task, result: { error: why } });
  }
  rec.wallS = (performance.now() - t0) / 1000;
  rec.loadEnd = os.loadavg();
  return rec;
}

/** The python that can import torch (Debian's python3-torch lives under /usr/bin/python3), or null. */
function findTorchPython(): { python: string; version: string } | null {
  for (const py of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(py, ['-c', 'import torch, torchvision; print(torch.__version__)'], { encoding: 'utf8' });
    if (r.status === 0) return { python: py, version: r.stdout.trim() };
  }
  return null;
}

async function runTorch(python: string, p: TorchPlan, timeoutS: number): Promise<TorchRecord> {
  const rec: TorchRecord = { plan: p, loadStart: os.loadavg() };
  const args = [
    path.join(BENCH_DIR, 'torch', 'densedepth.py'),
    '--threads',
    String(p.threads),
    '--warmup',
    String(p.warmup),
    '--reps',
    String(p.reps),
    '--cap',
    String(p.capS),
  ];
  for (const s of p.infer) args.push('--infer', s);
  for (const s of p.train) args.push('--train', s);
  for (const s of p.other ?? []) args.push('--other', s);
  const t0 = performance.now();
  const r = await runProcess(python, args, timeoutS, (line) => {
    if (line.startsWith('TORCH_RESULT ')) rec.result = JSON.parse(line.slice(13)) as TorchRecord['result'];
  });
  rec.wallS = (performance.now() - t0) / 1000;
  rec.loadEnd = os.loadavg();
  if (r.timedOut) rec.error = `stopped by the run's time cap after ${timeoutS.toFixed(0)} s`;
  else if (!rec.result) rec.error = `no result (exit ${r.code}): ${r.stderrTail.split('\n').slice(-3).join(' | ')}`;
  return rec;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--from')) {
    // Re-render BENCHMARKS.md from a results.json (no measuring).
    const file = path.resolve(argv[argv.indexOf('--from') + 1]);
    const rec = JSON.parse(fs.readFileSync(file, 'utf8')) as RunRecord;
    const mdFile = path.join(path.dirname(file), 'BENCHMARKS.md');
    fs.writeFileSync(mdFile, keepBrowserSection(writeReport(rec), fs.existsSync(mdFile) ? fs.readFileSync(mdFile, 'utf8') : null));
    log(`re-rendered ${path.join(path.dirname(file), 'BENCHMARKS.md')} from ${file}`);
    return;
  }
  const quick = argv.includes('--quick');
  const capIdx = argv.indexOf('--cap-minutes');
  const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1].split(',') : null;
  const cores = os.cpus().length;
  const plan = makePlan(quick, cores);
  if (capIdx >= 0) plan.totalCapS = Number(argv[capIdx + 1]) * 60;
  const t0 = performance.now();
  const remaining = (): number => plan.totalCapS - (performance.now() - t0) / 1000;
  const record: RunRecord = {
    command: `node bench/dist/run.js ${argv.join(' ')}`.trim(),
    quick,
    startedAt: new Date().toISOString(),
    totalCapS: plan.totalCapS,
    machine: machine(),
    loadStart: os.loadavg(),
    children: [],
    torch: [],
  };
  log(
    `${quick ? 'quick' : 'full'} run, cap ${plan.totalCapS} s, ${cores} cores, load ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );

  const torchPy = findTorchPython();
  record.torchAvailable = torchPy ? `torch ${torchPy.version} (${torchPy.python})` : null;
  if (!torchPy) log('PyTorch not available (python3 -c "import torch, torchvision" failed): the PyTorch columns stay empty');

  // Interleave each tfjs configuration with the PyTorch run at the same threads, so the ratio compares
  // numbers taken close together in time (the machine is shared; load changes).
  const order: ({ kind: 'child'; p: ChildPlan } | { kind: 'torch'; p: TorchPlan })[] = [];
  for (const c of plan.children) {
    order.push({ kind: 'child', p: c });
    const t = plan.torch.find(
      (x) =>
        (c.id === 'wasm-n' && x.id === 'torch-n') ||
        (c.id === 'wasm-1' && x.id === 'torch-1') ||
        (c.id === 'onnx-n' && x.id === 'torch-onnx'),
    );
    if (t) order.push({ kind: 'torch', p: t });
  }
  for (const item of order) {
    if (only && !only.includes(item.p.id)) continue;
    const left = remaining();
    if (left < 5) {
      log(`time cap reached: skipping ${item.p.id}`);
      if (item.kind === 'child') record.children.push({ plan: item.p, results: [], error: 'not run: the total time cap was reached' });
      else record.torch.push({ plan: item.p, error: 'not run: the total time cap was reached' });
      continue;
    }
    if (item.kind === 'child') {
      log(`${item.p.label}: ${item.p.tasks.length} tasks (${left.toFixed(0)} s left)`);
      record.children.push(await runChild(item.p, left));
    } else if (torchPy) {
      log(`PyTorch ${item.p.threads} thread(s) (${left.toFixed(0)} s left)`);
      record.torch.push(await runTorch(torchPy.python, item.p, left));
    }
  }
  record.wallS = (performance.now() - t0) / 1000;
  record.loadEnd = os.loadavg();
  const outDir = argv.includes('--out') ? path.resolve(argv[argv.indexOf('--out') + 1]) : BENCH_DIR;
  const merged = argv.includes('--merge') ? mergeInto(path.resolve(argv[argv.indexOf('--merge') + 1]), record) : record;
  fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(merged, null, 2) + '\n');
  const mdFile = path.join(outDir, 'BENCHMARKS.md');
  fs.writeFileSync(mdFile, keepBrowserSection(writeReport(merged), fs.existsSync(mdFile) ? fs.readFileSync(mdFile, 'utf8') : null));
  log(`wrote ${path.join(outDir, 'BENCHMARKS.md')} and results.json in ${record.wallS.toFixed(0)} s`);
}

/**
 * `--only ids --merge results.json`: the configurations just run replace those of an earlier full run (the
 * others keep their numbers); the report says which rows came from which run.
 */
function mergeInto(file: string, partial: RunRecord): RunRecord {
  const base = JSON.parse(fs.readFileSync(file, 'utf8')) as RunRecord;
  const ids = [...partial.children.map((c) => c.plan.id), ...partial.torch.map((t) => t.plan.id)];
  base.children = [...base.children.filter((c) => !ids.includes(c.plan.id)), ...partial.children];
  base.torch = [...base.torch.filter((t) => !ids.includes(t.plan.id)), ...partial.torch];
  base.partialRuns = [
    ...(base.partialRuns ?? []).filter((r) => !r.ids.every((id) => ids.includes(id))),
    {
      command: partial.command,
      startedAt: partial.startedAt,
      wallS: partial.wallS,
      loadStart: partial.loadStart,
      loadEnd: partial.loadEnd,
      ids,
    },
  ];
  return base;
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
