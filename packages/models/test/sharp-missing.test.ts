/**
 * sharp is an optional peer dependency of models, loaded on the first rendering of a figure to PNG: importing the
 * Node entry never loads it, and without it rendering says how to install it, while the SVG figures and the depth
 * PNGs (the portable codec) still work.
 */
test('without sharp: importing works, depth PNGs and the SVG figure work, rendering to PNG is MISSING_DEPENDENCY', async () => {
  await jest.isolateModulesAsync(async () => {
    jest.doMock('sharp', () => {
      throw new Error("Cannot find module 'sharp'");
    });
    const models = await import('../src/node');
    const depth = Float32Array.from({ length: 12 }, (_, i) => 1 + i * 0.25);
    const images = await models.depthImages(depth, 4, 3);
    expect(images.depth.length).toBeGreaterThan(0);
    const fig = await models.compareSvg(depth, 4, 3, { rgb: { rgb: new Uint8Array(36), width: 4, height: 3 } });
    expect(fig.svg).toContain('<svg');
    const err = await models.svgToPng(fig.svg).catch((e) => e);
    expect(err.code).toBe('MISSING_DEPENDENCY');
    expect(err.message).toMatch(/sharp.*Cannot find module 'sharp'.*npm install sharp/s);
    expect((await models.compareImage(depth, 4, 3, { rgb: { rgb: new Uint8Array(36), width: 4, height: 3 } }).catch((e) => e)).code).toBe(
      'MISSING_DEPENDENCY',
    );
  });
});
