import * as path from 'path';
import { writeFileSync } from 'fs';
import { DepthblocksError, z } from '@depthblocks/core';
import { listDatasets, openDataset, registerDataset, syntheticDataset } from '../src/node';
import { checkSameSize, parseListText, sanitizeDepth } from '../src/dataset';
import { validateEntries } from '../src/file-list-dataset';
import { encodeRgb } from '../src/image-io';
import { makeTempDir, patternRgb } from './helpers';

describe('dataset helpers', () => {
  const tmp = makeTempDir();
  afterAll(() => tmp.cleanup());

  test('parseListText: blank lines, comments, CRLF, no final newline; line numbers are 1-based', () => {
    const rows = parseListText('# header\r\na.png b.png 518.8\r\n\r\n  c.png   None 1 \nd.png e.png');
    expect(rows).toEqual([
      { line: 2, fields: ['a.png', 'b.png', '518.8'] },
      { line: 4, fields: ['c.png', 'None', '1'] },
      { line: 5, fields: ['d.png', 'e.png'] },
    ]);
    expect(parseListText('a.jpg , b.png\n', /\s*,\s*/)[0].fields).toEqual(['a.jpg', 'b.png']);
  });

  test('sanitizeDepth marks NaN, infinite and negative depth invalid (0), keeps the rest', () => {
    const d = Float32Array.of(1.25, NaN, -0.5, Infinity, -Infinity, 0, 7);
    expect(Array.from(sanitizeDepth(d))).toEqual([1.25, 0, 0, 0, 0, 0, 7]);
  });

  test('checkSameSize names both files and sizes', () => {
    expect(() => checkSameSize({ width: 640, height: 480 }, { width: 320, height: 240 }, 'a.jpg', 'a.png')).toThrow(
      /Expected depth map 240x320 to match RGB 480x640 \(rgb: a\.jpg, depth: a\.png\)/,
    );
    const err = (() => {
      try {
        checkSameSize({ width: 1, height: 1 }, { width: 2, height: 1 }, 'x', 'y');
      } catch (e) {
        return e as DepthblocksError;
      }
      return null;
    })();
    expect(err?.code).toBe('SHAPE_MISMATCH');
  });

  test('validateEntries reports missing, corrupt and mismatched files in index order', async () => {
    const ok = path.join(tmp.dir, 'ok.png');
    const small = path.join(tmp.dir, 'small.png');
    const junk = path.join(tmp.dir, 'junk.png');
    writeFileSync(ok, await encodeRgb(patternRgb(8, 6), 8, 6));
    writeFileSync(small, await encodeRgb(patternRgb(4, 3), 4, 3));
    writeFileSync(junk, 'definitely not a png');
    const entries = [
      { id: 'a', line: 1, listFile: 'l.txt', rgbPath: ok, depthPath: ok },
      { id: 'b', line: 2, listFile: 'l.txt', rgbPath: ok, depthPath: small },
      { id: 'c', line: 3, listFile: 'l.txt', rgbPath: junk, depthPath: path.join(tmp.dir, 'gone.png') },
    ];
    const report = await validateEntries('t', entries, { throwOnProblem: false });
    expect(report.checked).toBe(3);
    expect(report.problems.map((p) => `${p.id}:${p.kind}`)).toEqual(['b:size-mismatch', 'c:corrupt', 'c:missing']);
    expect(report.problems[0].message).toContain('l.txt line 2');
    const err = await validateEntries('t', entries).catch((e) => e);
    expect(err).toBeInstanceOf(DepthblocksError);
    expect(err.message).toMatch(/3 problem\(s\) in 3 samples \(1 size-mismatch, 1 corrupt, 1 missing\)/);
  });
});

describe('data specs and the reader registry', () => {
  test('the seven readers are registered; openDataset checks the spec before opening anything', async () => {
    expect(
      listDatasets()
        .map((d) => d.name)
        .sort(),
    ).toEqual(['diw', 'folders', 'kitti', 'nyu-bts', 'nyu-labeled', 'nyu-zip', 'synthetic']);
    const ds = await openDataset({ type: 'synthetic', count: 3, width: 8, height: 6, seed: 1 });
    expect(ds.length).toBe(3);
    await expect(openDataset({ type: 'nyu-labelled', path: 'x.mat' })).rejects.toThrow(
      /^Data spec: type: unknown dataset type "nyu-labelled" \(did you mean "nyu-labeled"\?\)/,
    );
    await expect(openDataset({ type: 'synthetic', count: 3, widht: 8, height: 6 })).rejects.toThrow(
      /unknown key "widht" \(did you mean "width"\?\)/,
    );
    // checked before the file is touched: a missing file would be FILE_NOT_FOUND
    await expect(openDataset({ type: 'nyu-labeled', path: '/nonexistent.mat', split: 'tset' })).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      message: expect.stringMatching(/split: expected one of "train", "test", "all", got string "tset" \(did you mean "test"\?\)/),
    });
  });

  test('a reader registered from outside opens by its type', async () => {
    registerDataset('tiny-synthetic-test', (o: { count: number }) => syntheticDataset({ count: o.count, width: 4, height: 4 }), {
      description: 'test',
      options: z.strictObject({ count: z.number().int().positive() }),
    });
    expect((await openDataset({ type: 'tiny-synthetic-test', count: 2 })).length).toBe(2);
    await expect(openDataset({ type: 'tiny-synthetic-test', count: 0 })).rejects.toThrow(/count: must be > 0, got number 0/);
  });
});
