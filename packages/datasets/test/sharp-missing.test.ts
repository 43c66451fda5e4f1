/**
 * sharp is an optional peer dependency, loaded on the first decode: importing the Node entry never loads it, and
 * without it a decode says how to install it, while PNG encoding (the portable codec) still works.
 */
import { patternRgb } from './helpers';

test('without sharp: importing works, decoding is MISSING_DEPENDENCY naming `npm install sharp`, PNG encoding works', async () => {
  await jest.isolateModulesAsync(async () => {
    jest.doMock('sharp', () => {
      throw new Error("Cannot find module 'sharp'");
    });
    const datasets = await import('../src/node');
    const png = await datasets.encodeRgb(patternRgb(4, 3), 4, 3, 'png');
    const err = await datasets.decodeRgb(png, 'a.png').catch((e) => e);
    expect(err.code).toBe('MISSING_DEPENDENCY');
    expect(err.message).toMatch(/sharp.*Cannot find module 'sharp'.*npm install sharp/s);
    expect((await datasets.decodeDepthPng(png, 1 / 1000, 'a.png').catch((e) => e)).code).toBe('MISSING_DEPENDENCY');
  });
});
