/**
 * The portable (browser) weight loader: bytes, or a URL that it downloads; a path is not read from disk (there is
 * no disk), so outside Node it fails as a download, naming the path and what to pass instead. (Loading itself is
 * shared with the Node entry and tested in weights.test.ts.)
 */
import { tf, weightBytes } from '@depthblocks/core';
import { setupTestBackend } from '@depthblocks/backend';
import { getEncoder, loadWeights } from '../src/index';

beforeAll(async () => {
  await setupTestBackend();
});

test('bytes reach the reader; a path is a failed download naming it and saying to pass bytes', async () => {
  const enc = getEncoder('resnet18');
  const input = tf.input({ shape: [32, 32, 3] });
  const model = tf.model({ inputs: input, outputs: enc.build(input).at(-1)!.tensor });
  const err = await loadWeights(enc, 'weights/resnet18.safetensors').catch((e) => e);
  expect(err.code).toBe('FILE_NOT_FOUND');
  expect(err.message).toMatch(/Could not download weights from weights\/resnet18\.safetensors.*pass its bytes/s);
  await expect(loadWeights(enc, new Uint8Array([1, 2, 3]))).rejects.toMatchObject({ code: 'WEIGHTS_FORMAT' });
  const bytes = Uint8Array.of(7, 8);
  expect(await weightBytes(bytes)).toEqual({ bytes, where: 'buffer' });
  model.dispose();
});
