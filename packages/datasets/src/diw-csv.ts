/**
 * Depth in the Wild's annotation CSV (Chen et al. 2016): two lines per sample,
 *   <image path>
 *   y_A,x_A,y_B,x_B,ordinal,width,height
 * with 1-based, row-first coordinates in an image of width x height; ordinal '>' = A farther (+1),
 * '<' = A closer (-1) ('=' is read as 0). The reader of the images is diw.ts (Node).
 */
import { DepthblocksError, type OrdinalPair } from '@depthblocks/core';

/** One DIW record: image, 0-based pair in the CSV's image frame, and that frame's size. */
export interface DiwRecord {
  imagePath: string;
  /** 1-based line of the image path in the CSV. */
  line: number;
  pair: OrdinalPair;
  width: number;
  height: number;
}

/**
 * Parses the DIW CSV text; coordinates become 0-based.
 *
 * @example
 * parseDiwCsv('./DIW_test/a.thumb\n10,20,30,40,>,320,240\n', 'DIW_test.csv')[0].pair; // { ya: 9, xa: 19, yb: 29, xb: 39, relation: 1 }
 */
export function parseDiwCsv(text: string, csvFile: string): DiwRecord[] {
  const lines = text.split(/\r?\n/).map((l, i) => ({ t: l.trim(), line: i + 1 }));
  const nonEmpty = lines.filter((l) => l.t.length > 0);
  if (nonEmpty.length % 2 !== 0) {
    throw new DepthblocksError(
      'INVALID_DATA',
      `DIW CSV ${csvFile} has ${nonEmpty.length} non-empty lines; expected pairs of lines (image path, then y_A,x_A,y_B,x_B,ordinal,width,height)`,
    );
  }
  const out: DiwRecord[] = [];
  for (let k = 0; k < nonEmpty.length; k += 2) {
    const img = nonEmpty[k];
    const rec = nonEmpty[k + 1];
    const f = rec.t.split(',').map((s) => s.trim());
    const bad = (why: string): never => {
      throw new DepthblocksError(
        'INVALID_DATA',
        `DIW CSV ${csvFile} line ${rec.line}: ${why}; got '${rec.t}' (expected y_A,x_A,y_B,x_B,ordinal,width,height)`,
        {
          listFile: csvFile,
          line: rec.line,
        },
      );
    };
    if (f.length !== 7) bad(`expected 7 comma-separated fields, found ${f.length}`);
    const [ya, xa, yb, xb] = f.slice(0, 4).map(Number);
    const width = Number(f[5]);
    const height = Number(f[6]);
    if (![ya, xa, yb, xb, width, height].every((v) => Number.isInteger(v))) bad('coordinates and size must be integers');
    if (width < 1 || height < 1) bad(`image size must be positive, got ${width}x${height}`);
    for (const [y, x] of [
      [ya, xa],
      [yb, xb],
    ]) {
      if (y < 1 || y > height || x < 1 || x > width) bad(`point (y ${y}, x ${x}) lies outside the 1-based ${height}x${width} image`);
    }
    const rel = f[4] === '>' ? 1 : f[4] === '<' ? -1 : f[4] === '=' ? 0 : bad(`ordinal must be '>' or '<', got '${f[4]}'`);
    out.push({
      imagePath: img.t,
      line: img.line,
      pair: { ya: ya - 1, xa: xa - 1, yb: yb - 1, xb: xb - 1, relation: rel as 1 | -1 | 0 },
      width,
      height,
    });
  }
  return out;
}
