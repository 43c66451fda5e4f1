/** The training section: its form, the live counters and chart, and the metrics table at the end. */
import type { TrainProgress, TrainSettings, TrainSummary } from '../engine/protocol';

/** Reads the form into settings (the quickstart's data sizes: 800 training and 64 test scenes, as numbers allow). */
export function readTrainForm(form: HTMLFormElement): TrainSettings {
  const f = new FormData(form);
  const [width, height] = String(f.get('size') ?? '64x48')
    .toLowerCase()
    .split('x')
    .map((v) => Number(v.trim()));
  const settings: TrainSettings = {
    model: f.get('model') === 'tiny' ? 'tiny' : 'quickstart',
    width,
    height,
    batchSize: Number(f.get('batchSize')),
    steps: Number(f.get('steps')),
    lr: Number(f.get('lr')),
    trainScenes: 800,
    testScenes: 64,
    seed: 1,
  };
  const bad = (['width', 'height', 'batchSize', 'steps'] as const).filter((k) => !(Number.isInteger(settings[k]) && settings[k] > 0));
  if (bad.length || !(settings.lr > 0)) {
    throw new Error(`Check the form: ${[...bad, ...(settings.lr > 0 ? [] : ['lr'])].join(', ')} (size as WxH, e.g. 64x48)`);
  }
  if (settings.width < 32 || settings.height < 32) throw new Error(`size ${settings.width}x${settings.height}: at least 32x32`);
  return settings;
}

/** One line of counters. */
export function progressLine(p: TrainProgress): string {
  const terms = Object.entries(p.terms)
    .map(([k, v]) => `${k} ${v.toFixed(4)}`)
    .join(', ');
  return (
    `${p.paused ? 'paused at ' : ''}step ${p.step}/${p.steps} (epoch ${p.epoch + 1}): loss ${p.loss.toFixed(4)} (${terms}); ` +
    `${p.samplesPerSecond.toFixed(1)} samples/s; ${p.seconds.toFixed(1)} s`
  );
}

/** A Markdown table (as metrics' toMarkdownTable writes it) as an HTML table. */
export function markdownTable(md: string): HTMLTableElement {
  const rows = md
    .trim()
    .split('\n')
    .filter((l) => !/^\|(\s*-+\s*\|)+$/.test(l))
    .map((l) =>
      l
        .replace(/^\||\|$/g, '')
        .split('|')
        .map((c) => c.trim()),
    );
  const table = document.createElement('table');
  rows.forEach((cells, i) => {
    const tr = table.insertRow();
    for (const c of cells) {
      const cell = document.createElement(i === 0 ? 'th' : 'td');
      cell.textContent = c;
      tr.append(cell);
    }
  });
  return table;
}

/** The end of a run: the table and a line on what was trained. */
export function showSummary(container: HTMLElement, s: TrainSummary): void {
  container.replaceChildren();
  const caption = document.createElement('p');
  caption.textContent =
    `${s.stopped ? 'Stopped' : 'Done'}: ${s.steps} steps in ${s.seconds.toFixed(0)} s (${s.samplesPerSecond.toFixed(1)} samples/s). ` +
    `${s.protocol} protocol on ${s.testScenes} synthetic test scenes, as the quickstart prints it:`;
  container.append(caption);
  if (s.table) container.append(markdownTable(s.table));
}
