/**
 * Page script for browser-keras-h5.test.ts: Keras .h5 written and read from bytes in the browser (core's portable
 * entry point, h5wasm's in-memory build), a corrupt file rejected with one error. Reports through window.__result.
 */
import { DepthblocksError, encodeKerasH5, parseKerasH5 } from '@depthblocks/core';

(async () => {
  try {
    const kernel = Float32Array.from({ length: 3 * 3 * 2 * 4 }, (_, i) => i / 8 - 2);
    const bytes = await encodeKerasH5(
      [
        { name: 'input_1', weights: [] },
        { name: 'conv1/conv', weights: [{ name: 'conv1/conv/kernel:0', shape: [3, 3, 2, 4], data: kernel }] },
      ],
      { layout: 'model', modelConfig: { class_name: 'Model', config: { layers: [] } } },
    );
    const file = await parseKerasH5(bytes, 'in-browser.h5');
    const corrupt = new Uint8Array(bytes);
    corrupt.fill(7, 100, 600);
    const err = await parseKerasH5(corrupt, 'corrupt.h5').catch((e) => e);
    (window as any).__result = {
      layout: file.layout,
      names: file.layers.map((l) => [l.name, l.weights.map((w) => w.name)]),
      same: Array.from(file.layers[1].weights[0].data).every((v, i) => v === kernel[i]),
      modelConfig: file.modelConfig,
      error:
        err instanceof DepthblocksError ? { code: err.code, lines: err.message.split('\n').length, message: err.message } : String(err),
    };
  } catch (e) {
    (window as any).__error = String((e as Error).stack ?? e);
  }
})();
