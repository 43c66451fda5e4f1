import * as path from 'path';
import { mkdirSync, writeFileSync } from 'fs';
import { diw } from '../src/diw';
import { parseDiwCsv } from '../src/diw-csv';
import { encodeRgb } from '../src/image-io-node';
import { makeTempDir, patternRgb } from './helpers';

describe('Depth in the Wild CSV', () => {
  const tmp = makeTempDir();
  beforeAll(async () => {
    mkdirSync(path.join(tmp.dir, 'DIW_test'), { recursive: true });
    writeFileSync(path.join(tmp.dir, 'DIW_test', 'a.thumb'), await encodeRgb(patternRgb(20, 15), 20, 15, 'jpeg'));
    writeFileSync(path.join(tmp.dir, 'DIW_test', 'b.thumb'), await encodeRgb(patternRgb(20, 15), 20, 15, 'png'));
    writeFileSync(
      path.join(tmp.dir, 'DIW_test.csv'),
      // a: annotated on the image as stored (15 rows x 20 cols); b: annotated on a 40x30 original
      './DIW_test/a.thumb\n3,4,15,20,>,20,15\n./DIW_test/b.thumb\n30,40,1,1,<,40,30\n./DIW_test/gone.thumb\n1,1,2,2,>,20,15\n',
    );
  });
  afterAll(() => tmp.cleanup());

  test('parses 1-based row-first coordinates to 0-based pairs; > is +1 (A farther)', () => {
    const recs = parseDiwCsv('img.jpg\n10,20,30,40,>,320,240\r\nimg2.jpg\n1,1,240,320,<,320,240\n', 'x.csv');
    expect(recs[0].pair).toEqual({ ya: 9, xa: 19, yb: 29, xb: 39, relation: 1 });
    expect(recs[0]).toMatchObject({ imagePath: 'img.jpg', line: 1, width: 320, height: 240 });
    expect(recs[1].pair).toEqual({ ya: 0, xa: 0, yb: 239, xb: 319, relation: -1 });
  });

  test('bad records are errors naming the line', () => {
    expect(() => parseDiwCsv('img.jpg\n10,20,30,40,?,320,240\n', 'x.csv')).toThrow(/x\.csv line 2: ordinal/);
    expect(() => parseDiwCsv('img.jpg\n10,20,30,40,>,320\n', 'x.csv')).toThrow(/7 comma-separated fields/);
    expect(() => parseDiwCsv('img.jpg\n0,20,30,40,>,320,240\n', 'x.csv')).toThrow(/outside the 1-based 240x320/);
    expect(() => parseDiwCsv('img.jpg\n', 'x.csv')).toThrow(/pairs of lines/);
  });

  test('samples carry the pair, rescaled (floor, clamp) when the image size differs from the CSV', async () => {
    const ds = await diw({ csvFile: path.join(tmp.dir, 'DIW_test.csv'), onError: 'skip' });
    expect(ds.length).toBe(3);
    const a = await ds.get(0);
    expect([a.width, a.height]).toEqual([20, 15]);
    expect(a.pairs).toEqual([{ ya: 2, xa: 3, yb: 14, xb: 19, relation: 1 }]);
    expect(Array.from(a.depth).every((d) => d === 0)).toBe(true);
    const b = await ds.get(1);
    // (29, 39) in 30x40 -> floor(29 * 15 / 30) = 14, floor(39 * 20 / 40) = 19; (0, 0) stays
    expect(b.pairs).toEqual([{ ya: 14, xa: 19, yb: 0, xb: 0, relation: -1 }]);
    const err = await ds.get(2).catch((e) => e);
    expect(err.code).toBe('FILE_NOT_FOUND');
    expect(err.message).toContain('DIW_test.csv line 5');
    const ids = [];
    for await (const s of ds) ids.push(s.id);
    expect(ids).toEqual(['./DIW_test/a.thumb', './DIW_test/b.thumb']);
    expect(ds.skipped).toBe(1);
  });
});
