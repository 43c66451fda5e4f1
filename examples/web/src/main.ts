/**
 * The page: wires the controls to the engine worker (which holds TensorFlow.js and the model code) and shows what it
 * returns. Nothing here loads model code, so the first paint is small; three.js comes with the first point cloud.
 *
 * `?backend=webgl` (or webgpu, wasm, cpu, auto) picks the backend at start, `?threads=1` wasm's thread count,
 * `?runtime=onnx` (or onnx-wasm, tfjs) what runs the model.
 * `window.depthblocksApp` exposes the engine and the page's state to the console, the browser tests and the bench.
 */
import { Engine } from './engine/client';
import type {
  BackendChoice,
  EngineInfo,
  ModelSummary,
  Prediction,
  RgbImage,
  RuntimeChoice,
  TrainProgress,
  TrainSummary,
} from './engine/protocol';
import { showPrediction } from './ui/depth-view';
import { byId, describeError, download, onDrop, setStatus } from './ui/dom';
import { progressLine, readTrainForm, showSummary } from './ui/training-view';
import { captureFrame, startWebcam } from './ui/webcam';

const state = {
  info: null as EngineInfo | null,
  model: null as ModelSummary | null,
  prediction: null as Prediction | null,
  input: null as { photo?: File; image?: RgbImage } | null,
  progress: [] as TrainProgress[],
  /** The steps after which training really stopped at each pause. */
  pausedAt: [] as number[],
  summary: null as TrainSummary | null,
  errors: [] as string[],
};
const engine = new Engine();
(window as unknown as { depthblocksApp: unknown }).depthblocksApp = { engine, state };

function fail(statusId: string, e: unknown): void {
  const text = describeError(e);
  state.errors.push(text);
  setStatus(statusId, text, true);
}

// --- backend -----------------------------------------------------------------------------------------------------

async function setBackend(choice: BackendChoice, threads?: number): Promise<void> {
  setStatus('backend-status', `starting ${choice}…`);
  try {
    const info = await engine.call('setup', { backend: choice, threads });
    state.info = info;
    setStatus(
      'backend-status',
      `${info.backend}${info.backend === 'wasm' ? ` (${info.threads} thread${info.threads > 1 ? 's' : ''}${info.simd ? ', SIMD' : ''})` : ''}: ${info.reason}`,
    );
  } catch (e) {
    fail('backend-status', e);
  }
}

// --- model -------------------------------------------------------------------------------------------------------

function modelLoaded(m: ModelSummary): void {
  state.model = m;
  const size = m.inputSize ? `${m.inputSize[1]}x${m.inputSize[0]} input` : 'any input size';
  setStatus(
    'model-status',
    `${m.name}: ${m.encoder} + ${m.decoder}, ${m.params.toLocaleString('en-US')} parameters, ${size}; from ${m.source}` +
      (m.notes.length ? `\n${m.notes.join('\n')}` : ''),
  );
  if (state.input) void predict(state.input);
}

async function loadModel(what: string, load: () => Promise<ModelSummary>): Promise<void> {
  setStatus('model-status', `loading ${what}…`);
  try {
    modelLoaded(await load());
  } catch (e) {
    fail('model-status', e);
  }
}

function setUpModelPanel(): void {
  for (const tab of document.querySelectorAll<HTMLButtonElement>('[data-tab]')) {
    tab.addEventListener('click', () => {
      for (const t of document.querySelectorAll('[data-tab]')) t.setAttribute('aria-selected', String(t === tab));
      for (const p of document.querySelectorAll<HTMLElement>('[data-panel]')) p.hidden = p.dataset.panel !== tab.dataset.tab;
    });
  }
  const files = (list: File[]) => loadModel(list.map((f) => f.name).join(' + '), () => engine.call('loadModelFiles', { files: list }));
  byId<HTMLInputElement>('model-files').addEventListener('change', (e) => files([...((e.target as HTMLInputElement).files ?? [])]));
  onDrop(byId('model-drop'), files);
  const h5 = (list: File[]) => {
    const preset = byId<HTMLSelectElement>('h5-preset').value;
    return loadModel(`${list[0].name} into ${preset}`, () => engine.call('loadKerasH5', { file: list[0], preset }));
  };
  byId<HTMLInputElement>('h5-file').addEventListener('change', (e) => h5([...((e.target as HTMLInputElement).files ?? [])]));
  onDrop(byId('h5-drop'), h5);
  byId('build-preset').addEventListener('click', () => {
    const preset = byId<HTMLSelectElement>('preset').value;
    const encoderWeights = byId<HTMLInputElement>('encoder-weights').files?.[0];
    void loadModel(`preset ${preset}`, () => engine.call('loadPreset', { preset, encoderWeights }));
  });
}

async function fillPresets(): Promise<void> {
  const list = await engine.call('presets', {});
  for (const [id, filter] of [
    ['preset', () => true],
    ['h5-preset', (n: string) => n.startsWith('densedepth')],
  ] as const) {
    const select = byId<HTMLSelectElement>(id);
    for (const p of list.filter((x) => filter(x.name))) select.add(new Option(`${p.name}: ${p.description}`, p.name));
  }
}

// --- depth of a photo ----------------------------------------------------------------------------------------------

let predicting = false;
/** A prediction was asked for while one ran (a new photo, another runtime): it runs when that one ends. */
let again = false;

async function predict(input: { photo?: File; image?: RgbImage }): Promise<void> {
  state.input = input;
  if (!state.model) {
    setStatus('predict-status', 'Load or train a model first (section 1).', true);
    return;
  }
  if (predicting) {
    again = true;
    return;
  }
  predicting = true;
  const flipTTA = byId<HTMLInputElement>('flip-tta').checked;
  const runtime = byId<HTMLSelectElement>('runtime').value as RuntimeChoice;
  setStatus('predict-status', runtime === 'tfjs' ? 'predicting…' : 'predicting (the model is exported to ONNX first)…');
  try {
    const p = await engine.call('predict', { ...input, flipTTA, runtime });
    state.prediction = p;
    showPrediction(p, { rgb: byId('rgb-view'), depth: byId('depth-view'), bar: byId('colour-bar') });
    const [h, w] = p.workingSize;
    setStatus(
      'predict-status',
      `${p.runtime === 'tfjs' ? p.backend : p.runtime}: ${p.ms.toFixed(0)} ms per prediction (${w}x${h} through the model${flipTTA ? ', twice for flip TTA' : ''}); ` +
        `depth ${p.legend.min.toFixed(2)}–${p.legend.max.toFixed(2)} m (2nd–98th percentile) at ${p.width}x${p.height}`,
    );
    for (const id of ['download-png', 'download-ply', 'predict-again']) byId<HTMLButtonElement>(id).disabled = false;
    const { showCloud } = await import('./ui/point-cloud');
    const fovY = (2 * Math.atan(p.height / 2 / p.intrinsics.fy) * 180) / Math.PI;
    showCloud(byId('cloud-view'), p.ply, fovY);
  } catch (e) {
    fail('predict-status', e);
  } finally {
    predicting = false;
    if (again) {
      again = false;
      void predict(state.input);
    }
  }
}

function setUpDepthPanel(): void {
  byId<HTMLInputElement>('photo-file').addEventListener('change', (e) => {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (f) void predict({ photo: f });
  });
  onDrop(byId('photo-drop'), (files) => void predict({ photo: files[0] }));
  byId('predict-again').addEventListener('click', () => state.input && void predict(state.input));
  byId('runtime').addEventListener('change', () => state.input && state.model && void predict(state.input));
  const video = byId<HTMLVideoElement>('webcam-video');
  byId('webcam').addEventListener('click', async () => {
    try {
      await startWebcam(video);
      video.hidden = false;
      byId('capture').hidden = false;
    } catch (e) {
      fail('predict-status', e);
    }
  });
  byId('capture').addEventListener('click', () => {
    try {
      void predict({ image: captureFrame(video) });
    } catch (e) {
      fail('predict-status', e);
    }
  });
  byId('download-png').addEventListener('click', async () => {
    try {
      const f = await engine.call('depthPng', {});
      download(f.bytes, f.name, 'image/png');
    } catch (e) {
      fail('predict-status', e);
    }
  });
  byId('download-ply').addEventListener('click', () => state.prediction && download(state.prediction.ply, 'depth.ply'));
}

// --- training ------------------------------------------------------------------------------------------------------

function setUpTraining(): void {
  const form = byId<HTMLFormElement>('train-form');
  const [start, pause, stop, save] = ['train-start', 'train-pause', 'train-stop', 'save-model'].map((id) => byId<HTMLButtonElement>(id));
  let paused = false;
  engine.on('progress', (p) => {
    state.progress.push(p);
    setStatus('train-status', progressLine(p));
  });
  engine.on('paused', ({ step }) => {
    state.pausedAt.push(step);
    setStatus('train-status', `paused after step ${step}: press Resume`);
  });
  engine.on('chart', ({ svg }) => {
    byId('loss-chart').innerHTML = svg; // SVG made by @depthblocks/models' lineChart from numbers (no user text)
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    let settings;
    try {
      settings = readTrainForm(form);
    } catch (err) {
      fail('train-status', err);
      return;
    }
    state.progress = [];
    state.pausedAt = [];
    state.summary = null;
    byId('metrics').replaceChildren();
    [start.disabled, pause.disabled, stop.disabled, paused] = [true, false, false, false];
    pause.textContent = 'Pause';
    setStatus('train-status', `rendering ${settings.trainScenes} + ${settings.testScenes} scenes, evaluating the untrained model…`);
    try {
      const summary = await engine.call('train', settings);
      state.summary = summary;
      showSummary(byId('metrics'), summary);
      modelLoaded(summary.model);
      save.disabled = false;
    } catch (err) {
      fail('train-status', err);
    } finally {
      [start.disabled, pause.disabled, stop.disabled] = [false, true, true];
    }
  });
  pause.addEventListener('click', () => {
    paused = !paused;
    pause.textContent = paused ? 'Resume' : 'Pause';
    if (paused) setStatus('train-status', 'pausing after this step…');
    void engine.call(paused ? 'pause' : 'resume', {});
  });
  stop.addEventListener('click', () => void engine.call('stop', {}));
  save.addEventListener('click', async () => {
    try {
      for (const f of await engine.call('saveModel', {})) download(f.bytes, f.name);
    } catch (err) {
      fail('train-status', err);
    }
  });
}

// --- start ---------------------------------------------------------------------------------------------------------

setUpModelPanel();
setUpDepthPanel();
setUpTraining();
const backendSelect = byId<HTMLSelectElement>('backend');
const query = new URLSearchParams(location.search);
const runtimeSelect = byId<HTMLSelectElement>('runtime');
const askedRuntime = query.get('runtime');
if (askedRuntime && [...runtimeSelect.options].some((o) => o.value === askedRuntime)) runtimeSelect.value = askedRuntime;
const asked = query.get('backend');
if (asked && [...backendSelect.options].some((o) => o.value === asked)) backendSelect.value = asked;
backendSelect.addEventListener('change', () => void setBackend(backendSelect.value as BackendChoice));
// ?threads=N: wasm's thread count (fixed once wasm has started in a page)
const threads = query.get('threads') ? Number(query.get('threads')) : undefined;
void setBackend(backendSelect.value as BackendChoice, threads).then(() => fillPresets().catch((e) => fail('model-status', e)));
