/**
 * A Keras .h5 file's tensors under the keys a model's variables have (`<layer name>/<weight name>`, e.g.
 * `conv1/conv/kernel` for the dataset `conv1/conv/kernel:0`), for {@link loadIntoVariables}.
 */
import type { WeightSource, WeightTarget } from './assign-weights';
import type { KerasH5File } from './keras-h5';

/** Options of {@link kerasWeightSources}. */
export interface KerasWeightSourcesOptions {
  /** Maps a file's layer name to the model's (e.g. Keras 3's `conv1_conv` -> `conv1/conv`); default: unchanged. */
  alias?: (fileLayerName: string) => string;
  /** Layers whose weights are skipped on purpose (e.g. ImageNet classifier heads), by the model-side name. */
  ignoreLayers?: ReadonlySet<string>;
}

/**
 * Keys every weight of `file` the way `targets` are keyed. Keras 2 weight names give the short name
 * (`conv1/conv/kernel:0` -> `kernel`); Keras 3 files number their variables (`vars/0`, `vars/1`), which are
 * matched to the target layer's weights in order.
 *
 * @example
 * const { sources } = kerasWeightSources(await parseKerasH5(bytes), targets);
 * sources.get('conv1/conv/kernel')!.source; // 'conv1/conv/kernel:0'
 */
export function kerasWeightSources(
  file: KerasH5File,
  targets: readonly WeightTarget[],
  options: KerasWeightSourcesOptions = {},
): { sources: Map<string, WeightSource>; ignored: string[] } {
  const alias = options.alias ?? ((n: string) => n);
  const shortsByLayer = new Map<string, string[]>();
  for (const t of targets) {
    const slash = t.key.lastIndexOf('/');
    const layer = t.key.slice(0, slash);
    shortsByLayer.set(layer, [...(shortsByLayer.get(layer) ?? []), t.key.slice(slash + 1)]);
  }
  const sources = new Map<string, WeightSource>();
  const ignored: string[] = [];
  for (const layer of file.layers) {
    const name = alias(layer.name);
    layer.weights.forEach((w, i) => {
      if (options.ignoreLayers?.has(name)) {
        ignored.push(w.name);
        return;
      }
      let short: string;
      const k3 = /\/vars\/(\d+)$/.exec(w.name);
      if (file.format === 'keras3' && k3) {
        short = shortsByLayer.get(name)?.[Number(k3[1])] ?? `vars/${k3[1]}`;
      } else {
        const base = w.name.startsWith(`${layer.name}/`) ? w.name.slice(layer.name.length + 1) : w.name;
        short = base.replace(/:\d+$/, '').split('/').pop() ?? `#${i}`;
      }
      sources.set(`${name}/${short}`, { source: w.name, shape: w.shape, fileShape: w.shape, data: w.data });
    });
  }
  return { sources, ignored };
}
