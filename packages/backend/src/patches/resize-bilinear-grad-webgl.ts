/**
 * ResizeBilinearGrad for the webgl backend as a GPU program that honours `halfPixelCenters` (tfjs 4.22's own
 * ignores it, so TF2 / PyTorch-style up-sampling got the gradient of the legacy sampling).
 *
 * Each output texel is one input pixel (b, r, c, d); it sums dy over the window of output pixels whose bilinear
 * sample reads row r or column c, with the weight the forward program gave it. The source coordinate is computed
 * exactly as tfjs' forward ResizeBilinearProgram computes it, so the gradient is the forward kernel's transpose.
 */

/** What `backend.runWebGLProgram` needs (tfjs-backend-webgl's GPGPUProgram, the fields used here). */
export interface WebglProgram {
  variableNames: string[];
  outputShape: number[];
  userCode: string;
}

/** The scale and offset of the source coordinate `(i + offset) * scale - offset` along one axis, as tfjs uses. */
function axis(inSize: number, outSize: number, alignCorners: boolean): { scale: number; window: number } {
  const effIn = alignCorners && outSize > 1 ? inSize - 1 : inSize;
  const effOut = alignCorners && outSize > 1 ? outSize - 1 : outSize;
  const scale = effIn / effOut;
  // output pixels i with |src(i) - r| < 1 read input pixel r: at most 2 / scale + 1 of them, plus rounding margin
  return { scale, window: Math.ceil(2 / scale) + 3 };
}

/** GLSL float literal (always with a decimal point or exponent). */
function glslFloat(v: number): string {
  const s = String(v);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

/**
 * The program computing dx (shape `imagesShape`) from dy (shape `dyShape`).
 *
 * @example
 * const program = resizeBilinearGradProgram([1, 24, 32, 8], [1, 12, 16, 8], false, true);
 * const dx = webglBackend.runWebGLProgram(program, [dy], 'float32');
 */
export function resizeBilinearGradProgram(
  dyShape: number[],
  imagesShape: number[],
  alignCorners: boolean,
  halfPixelCenters: boolean,
): WebglProgram {
  const [, inH, inW] = imagesShape;
  const [, outH, outW] = dyShape;
  const rows = axis(inH, outH, alignCorners);
  const cols = axis(inW, outW, alignCorners);
  const offset = halfPixelCenters ? '0.5' : '0.0';
  // the same expression as the forward program: (vec2(yRC) + 0.5) * ratio - 0.5, or vec2(yRC) * ratio
  const src = (i: string, ratio: string): string => (halfPixelCenters ? `(float(${i}) + 0.5) * ${ratio} - 0.5` : `float(${i}) * ${ratio}`);
  const userCode = `
    const float scaleR = ${glslFloat(rows.scale)};
    const float scaleC = ${glslFloat(cols.scale)};

    // The weight with which output index i (source coordinate s) read input index k along an axis of size n.
    float tap(float s, int k, int n) {
      int lo = int(max(s, 0.0));
      int hi = int(min(float(n - 1), ceil(s)));
      float f = s - float(lo);
      return (lo == k ? 1.0 - f : 0.0) + (hi == k ? f : 0.0);
    }

    void main() {
      ivec4 coords = getOutputCoords();
      int b = coords[0];
      int r = coords[1];
      int c = coords[2];
      int d = coords[3];
      // first output row / column whose source coordinate can reach r - 1 (inverse of the source mapping)
      int startY = int(floor((float(r) - 1.0 + ${offset}) / scaleR - ${offset})) - 1;
      int startX = int(floor((float(c) - 1.0 + ${offset}) / scaleC - ${offset})) - 1;
      float acc = 0.0;
      for (int wy = 0; wy < ${rows.window}; wy++) {
        int y = startY + wy;
        if (y < 0 || y >= ${outH}) continue;
        float ty = tap(${src('y', 'scaleR')}, r, ${inH});
        if (ty == 0.0) continue;
        for (int wx = 0; wx < ${cols.window}; wx++) {
          int x = startX + wx;
          if (x < 0 || x >= ${outW}) continue;
          float tx = tap(${src('x', 'scaleC')}, c, ${inW});
          if (tx == 0.0) continue;
          acc += getDy(b, y, x, d) * ty * tx;
        }
      }
      setOutput(acc);
    }
  `;
  return { variableNames: ['dy'], outputShape: imagesShape, userCode };
}
