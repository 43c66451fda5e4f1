/**
 * Patch `wasmKernels`: training kernels that the stock tfjs wasm backend lacks or runs slowly, composed from kernels it has
 * (XNNPACK matmul and conv). Kernels never call tf.* ops: they call other wasm kernels' `kernelFunc`
 * directly, as tfjs-backend-wasm's own kernels do, and free every temporary with `backend.disposeData`.
 *
 * - Conv2DBackpropFilter: im2col on a channels-first copy, then one matmul per group of filter taps.
 *   Stride 1 uses a "wide" im2col in which each tap's patch is one contiguous memory range.
 * - Conv2DBackpropInput (replaces the built-in scalar loop): 1x1 filters by one matmul; deep layers (few output
 *   pixels) by matmul + col2im; otherwise zero-insert dy by the stride, pad, and run the forward Conv2D with the
 *   filter rotated by 180 degrees and its channels swapped.
 * - DepthwiseConv2dNativeBackpropFilter: the same patches, one batched matmul per channel.
 * - DepthwiseConv2dNativeBackpropInput: a depthwise conv of the padded dy with the rotated filter.
 * - MaxPoolGrad (replaces the built-in one, which is wrong for multi-channel inputs with padding).
 * - Identity shares data instead of copying it (the engine clones every tensor saved for backprop).
 * - Any other missing kernel (UnsortedSegmentSum, used by the gradient of gather): the cpu kernel on copies.
 */
import { tf } from '@depthblocks/core';
import type { ChangeSet, Patch } from '../patch';
import { heapOffset, simdKernels, type SimdKernels } from '../simd/simd-kernels';

type TensorInfo = { dataId: object; shape: number[]; dtype: string };
type Backend = any;
type Attrs = Record<string, any>;

const KERNELS_NEEDING_CPU_FALLBACK = ['UnsortedSegmentSum'];
/** Floats of im2col rows built per matmul (128 MB); larger convolutions are split by filter taps. */
const MAX_PATCH_FLOATS = 32 * 1024 * 1024;

const kernelCache = new Map<string, (args: any) => any>();
function call(backend: Backend, name: string, inputs: Record<string, TensorInfo> | TensorInfo[], attrs: Attrs = {}): TensorInfo {
  let k = kernelCache.get(name);
  if (!k) {
    const config = tf.getKernel(name, 'wasm');
    if (!config) throw new Error(`wasm kernel ${name} is not registered`);
    k = config.kernelFunc as (args: any) => any;
    kernelCache.set(name, k);
  }
  return k({ inputs, backend, attrs }) as TensorInfo;
}
function free(backend: Backend, ...infos: (TensorInfo | undefined)[]): void {
  for (const t of infos) if (t) backend.disposeData(t.dataId);
}
function concatOrSingle(backend: Backend, parts: TensorInfo[], axis: number): TensorInfo {
  if (parts.length === 1) return parts[0];
  const out = call(backend, 'Concat', parts, { axis });
  free(backend, ...parts);
  return out;
}
function stridedSlice(backend: Backend, x: TensorInfo, begin: number[], end: number[], strides: number[]): TensorInfo {
  return call(
    backend,
    'StridedSlice',
    { x },
    {
      begin,
      end,
      strides,
      beginMask: 0,
      endMask: 0,
      ellipsisMask: 0,
      newAxisMask: 0,
      shrinkAxisMask: 0,
    },
  );
}

/**
 * a [M, K] . b [K, N]. Never pass transpose flags to the wasm BatchMatMul: with transposeA or transposeB it
 * takes a path 5-10x slower than without (measured on 32x512 . 512x4608); transpose the smaller operand instead.
 */
function matmul(backend: Backend, a: TensorInfo, b: TensorInfo): TensorInfo {
  return call(backend, 'BatchMatMul', { a, b }, { transposeA: false, transposeB: false });
}

function transpose2d(backend: Backend, x: TensorInfo): TensorInfo {
  return call(backend, 'Transpose', { x }, { perm: [1, 0] });
}

/** Groups the KHxKW filter taps so that each group's im2col matrix stays under MAX_PATCH_FLOATS. */
function tapGroups(kh: number, kw: number, rowsPerTap: number, cols: number): [number, number][][] {
  const taps: [number, number][] = [];
  for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) taps.push([i, j]);
  const per = Math.max(1, Math.floor(MAX_PATCH_FLOATS / Math.max(1, rowsPerTap * cols)));
  const groups: [number, number][][] = [];
  for (let k = 0; k < taps.length; k += per) groups.push(taps.slice(k, k + per));
  return groups;
}

/** Pads x (NHWC) by padInfo (plus `extraBottom` rows) and transposes it to [C, N, Hp, Wp]. */
function padAndTranspose(
  backend: Backend,
  x: TensorInfo,
  pad: { top: number; bottom: number; left: number; right: number },
  extraBottom = 0,
): TensorInfo {
  let xp = x;
  const padded = pad.top || pad.bottom + extraBottom || pad.left || pad.right;
  if (padded) {
    xp = call(
      backend,
      'PadV2',
      { x },
      {
        paddings: [
          [0, 0],
          [pad.top, pad.bottom + extraBottom],
          [pad.left, pad.right],
          [0, 0],
        ],
        constantValue: 0,
      },
    );
  }
  const xt = call(backend, 'Transpose', { x: xp }, { perm: [3, 0, 1, 2] });
  if (padded) free(backend, xp);
  return xt;
}

/**
 * im2col, channels first, for a group of taps: returns [taps*C, N*OH*OW] with rows ordered (tap, c).
 * `xt` is the padded input as [C, N, Hp, Wp].
 */
function patchesChannelsFirst(backend: Backend, xt: TensorInfo, taps: [number, number][], ci: any, dilH: number, dilW: number): TensorInfo {
  const { batchSize: n, inChannels: c, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = ci;
  const m = n * oh * ow;
  const [, , hp, wp] = xt.shape;
  const out = backend.makeOutput([taps.length * c, m], 'float32');
  // one JS pass over the wasm heap (a StridedSlice kernel per tap costs far more for small channel counts)
  const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
  const src0 = heapOffset(backend, xt) >>> 2;
  const dst0 = heapOffset(backend, out) >>> 2;
  taps.forEach(([i, j], t) => {
    const h0 = i * dilH;
    const w0 = j * dilW;
    for (let ch = 0; ch < c; ch++) {
      for (let b = 0; b < n; b++) {
        const plane = src0 + (ch * n + b) * hp * wp;
        let dst = dst0 + (t * c + ch) * m + b * oh * ow;
        for (let oy = 0; oy < oh; oy++) {
          const row = plane + (h0 + oy * sh) * wp + w0;
          for (let ox = 0; ox < ow; ox++) heap[dst++] = heap[row + ox * sw];
        }
      }
    }
  });
  return out;
}

/** A 1x1 convolution without padding: pointwise, i.e. a matmul over pixels (most of DenseNet's FLOPs). */
function isPointwise(ci: any): boolean {
  const p = ci.padInfo;
  return ci.filterHeight === 1 && ci.filterWidth === 1 && !p.top && !p.bottom && !p.left && !p.right;
}

/** x subsampled by the stride (the pixels a strided 1x1 convolution reads), [N, OH, OW, C]. */
function strideSample(backend: Backend, x: TensorInfo, ci: any): { t: TensorInfo; owned: boolean } {
  if (ci.strideHeight === 1 && ci.strideWidth === 1) return { t: x, owned: false };
  const { batchSize: n, inChannels: c, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = ci;
  const t = stridedSlice(backend, x, [0, 0, 0, 0], [n, (oh - 1) * sh + 1, (ow - 1) * sw + 1, c], [1, sh, sw, 1]);
  return { t, owned: true };
}

function conv2DBackpropFilter({ inputs, backend, attrs }: { inputs: any; backend: Backend; attrs: Attrs }): TensorInfo {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape, dilations } = attrs; // dilations: depthblocks' own attr
  const fmt = tf.backend_util.convertConv2DDataFormat(dataFormat || 'NHWC');
  if (fmt !== 'channelsLast') throw new Error('Conv2DBackpropFilter (depthblocks wasm kernel): only NHWC is supported');
  const ci = tf.backend_util.computeConv2DInfo(x.shape as any, filterShape, strides, dilations ?? 1, pad, dimRoundingMode, false, fmt);
  const dilated = ci.dilationHeight !== 1 || ci.dilationWidth !== 1;
  const { batchSize: n, inChannels: c, outHeight: oh, outWidth: ow, outChannels: oc, filterHeight: kh, filterWidth: kw, padInfo } = ci;
  if (isPointwise(ci)) {
    // dW[C, OC] = x^T [C, M] . dy [M, OC]
    const xs = strideSample(backend, x, ci);
    const x2 = call(backend, 'Reshape', { x: xs.t }, { shape: [n * oh * ow, c] });
    const dy2 = call(backend, 'Reshape', { x: dy }, { shape: [n * oh * ow, oc] });
    let g: TensorInfo;
    if (oc < c) {
      // dW^T [OC, C] = dy^T . x, then transpose the (small) result
      const dyT = transpose2d(backend, dy2);
      const gT = matmul(backend, dyT, x2);
      g = transpose2d(backend, gT);
      free(backend, dyT, gT);
    } else {
      const xT = transpose2d(backend, x2);
      g = matmul(backend, xT, dy2);
      free(backend, xT);
    }
    const res = call(backend, 'Reshape', { x: g }, { shape: [1, 1, c, oc] });
    free(backend, x2, dy2, g, xs.owned ? xs.t : undefined);
    return res;
  }
  let dw: TensorInfo;
  if (ci.strideHeight === 1 && ci.strideWidth === 1 && !dilated) {
    // Wide im2col: compute dW over rows Wp wide (dy zero-padded to width Wp), so the patch of tap (i, j) is
    // one contiguous range of the padded image starting at i*Wp + j. One extra zero row keeps ranges inside.
    const xt = padAndTranspose(backend, x, padInfo, 1); // [C, N, Hp+1, Wp]
    const hp1 = xt.shape[2];
    const wp = xt.shape[3];
    const dyw = call(
      backend,
      'PadV2',
      { x: dy },
      {
        paddings: [
          [0, 0],
          [0, 0],
          [0, wp - ow],
          [0, 0],
        ],
        constantValue: 0,
      },
    );
    const mw = n * oh * wp;
    const len = oh * wp;
    const img = hp1 * wp;
    const dy2 = call(backend, 'Reshape', { x: dyw }, { shape: [mw, oc] });
    free(backend, dyw);
    const parts = tapGroups(kh, kw, c, mw).map((taps) => {
      const p = backend.makeOutput([taps.length * c, mw], 'float32');
      const heap: Uint8Array = backend.wasm.HEAPU8;
      const src0 = heapOffset(backend, xt);
      const dst0 = heapOffset(backend, p);
      taps.forEach(([i, j], t) => {
        for (let ch = 0; ch < c; ch++) {
          for (let b = 0; b < n; b++) {
            const src = src0 + 4 * ((ch * n + b) * img + i * wp + j);
            const dst = dst0 + 4 * ((t * c + ch) * mw + b * len);
            heap.copyWithin(dst, src, src + 4 * len);
          }
        }
      });
      const r = call(backend, 'BatchMatMul', { a: p, b: dy2 }, { transposeA: false, transposeB: false });
      free(backend, p);
      return r;
    });
    free(backend, xt, dy2);
    dw = concatOrSingle(backend, parts, 0);
  } else {
    const m = n * oh * ow;
    const xt = padAndTranspose(backend, x, padInfo);
    const dy2 = call(backend, 'Reshape', { x: dy }, { shape: [m, oc] });
    const parts = tapGroups(kh, kw, c, m).map((taps) => {
      const p = patchesChannelsFirst(backend, xt, taps, ci, ci.dilationHeight, ci.dilationWidth);
      const r = call(backend, 'BatchMatMul', { a: p, b: dy2 }, { transposeA: false, transposeB: false });
      free(backend, p);
      return r;
    });
    free(backend, xt, dy2);
    dw = concatOrSingle(backend, parts, 0);
  }
  const res = call(backend, 'Reshape', { x: dw }, { shape: [kh, kw, c, oc] });
  free(backend, dw);
  return res;
}

function depthwiseConv2dNativeBackpropFilter({ inputs, backend, attrs }: { inputs: any; backend: Backend; attrs: Attrs }): TensorInfo {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs;
  const ci = tf.backend_util.computeConv2DInfo(x.shape as any, filterShape, strides, dilations || 1, pad, dimRoundingMode, true);
  const {
    batchSize: n,
    inChannels: c,
    outHeight: oh,
    outWidth: ow,
    filterHeight: kh,
    filterWidth: kw,
    dilationHeight: dh,
    dilationWidth: dwd,
  } = ci;
  const q = filterShape[3];
  const m = n * oh * ow;
  const simd = simdKernels(backend);
  if (simd && q === 1 && x.dtype === 'float32') {
    // one SIMD pass per tap over the padded NHWC input (no im2col, no transposes)
    const pi = ci.padInfo;
    const padded = pi.top || pi.bottom || pi.left || pi.right;
    const xp = padded
      ? call(
          backend,
          'PadV2',
          { x },
          {
            paddings: [
              [0, 0],
              [pi.top, pi.bottom],
              [pi.left, pi.right],
              [0, 0],
            ],
            constantValue: 0,
          },
        )
      : x;
    const out = backend.makeOutput(filterShape, 'float32');
    new Float32Array(simd.memory.buffer, heapOffset(backend, out), kh * kw * c).fill(0);
    const [, hp, wp] = xp.shape;
    simd.depthwiseFilterGrad(
      heapOffset(backend, xp),
      heapOffset(backend, dy),
      heapOffset(backend, out),
      n,
      hp,
      wp,
      c,
      oh,
      ow,
      kh,
      kw,
      ci.strideHeight,
      ci.strideWidth,
      dh,
      dwd,
    );
    if (xp !== x) free(backend, xp);
    return out;
  }
  const xt = padAndTranspose(backend, x, ci.padInfo);
  const dy3 = call(backend, 'Reshape', { x: dy }, { shape: [m, c, q] });
  const dyT = call(backend, 'Transpose', { x: dy3 }, { perm: [1, 0, 2] }); // [C, M, Q]
  free(backend, dy3);
  const parts = tapGroups(kh, kw, c, m).map((taps) => {
    const p = patchesChannelsFirst(backend, xt, taps, ci, dh, dwd); // [T*C, M]
    const p3 = call(backend, 'Reshape', { x: p }, { shape: [taps.length, c, m] });
    const pt = call(backend, 'Transpose', { x: p3 }, { perm: [1, 0, 2] }); // [C, T, M]
    free(backend, p, p3);
    const r = call(backend, 'BatchMatMul', { a: pt, b: dyT }, { transposeA: false, transposeB: false }); // [C, T, Q]
    free(backend, pt);
    return r;
  });
  free(backend, xt, dyT);
  const g = concatOrSingle(backend, parts, 1);
  const gt = call(backend, 'Transpose', { x: g }, { perm: [1, 0, 2] }); // [KH*KW, C, Q]
  free(backend, g);
  const res = call(backend, 'Reshape', { x: gt }, { shape: [kh, kw, c, q] });
  free(backend, gt);
  return res;
}

/**
 * Shared by both backprop-input kernels: zero-inserts dy by the stride and pads it so that a stride-1
 * 'valid' convolution with the rotated filter yields dx of the input's size. Returns the prepared dy and
 * the temporaries to free.
 */
function prepareBackpropInput(backend: Backend, dy: TensorInfo, ci: any): { d: TensorInfo; tmp: TensorInfo[] } {
  const {
    batchSize: n,
    inHeight: h,
    inWidth: w,
    outHeight: oh,
    outWidth: ow,
    strideHeight: sh,
    strideWidth: sw,
    effectiveFilterHeight: kh, // the filter's extent (dilated filters included)
    effectiveFilterWidth: kw,
    padInfo,
  } = ci;
  const ch = dy.shape[3];
  const tmp: TensorInfo[] = [];
  let d = dy;
  if (sh > 1 || sw > 1) {
    const d6 = call(backend, 'Reshape', { x: dy }, { shape: [n, oh, 1, ow, 1, ch] });
    const p6 = call(
      backend,
      'PadV2',
      { x: d6 },
      {
        paddings: [
          [0, 0],
          [0, 0],
          [0, sh - 1],
          [0, 0],
          [0, sw - 1],
          [0, 0],
        ],
        constantValue: 0,
      },
    );
    free(backend, d6);
    d = call(backend, 'Reshape', { x: p6 }, { shape: [n, oh * sh, ow * sw, ch] });
    free(backend, p6);
    tmp.push(d);
  }
  const top = kh - 1 - padInfo.top;
  const left = kw - 1 - padInfo.left;
  if (top < 0 || left < 0) throw new Error('backprop input (depthblocks wasm kernel): padding larger than filter-1 is not supported');
  const bottom = h + kh - 1 - top - d.shape[1];
  const right = w + kw - 1 - left - d.shape[2];
  if (top || left || bottom > 0 || right > 0) {
    const p = call(
      backend,
      'PadV2',
      { x: d },
      {
        paddings: [
          [0, 0],
          [top, Math.max(bottom, 0)],
          [left, Math.max(right, 0)],
          [0, 0],
        ],
        constantValue: 0,
      },
    );
    tmp.push(p);
    d = p;
  }
  if (bottom < 0 || right < 0) {
    const s = call(backend, 'Slice', { x: d }, { begin: [0, 0, 0, 0], size: [n, h + kh - 1, w + kw - 1, ch] });
    tmp.push(s);
    d = s;
  }
  return { d, tmp };
}

/** dx of a 1x1 convolution: dy [M, OC] . W^T [OC, C], scattered back to the strided pixels. */
function pointwiseBackpropInput(backend: Backend, dy: TensorInfo, filter: TensorInfo, ci: any): TensorInfo {
  const {
    batchSize: n,
    inHeight: h,
    inWidth: w,
    inChannels: c,
    outHeight: oh,
    outWidth: ow,
    outChannels: oc,
    strideHeight: sh,
    strideWidth: sw,
  } = ci;
  const dy2 = call(backend, 'Reshape', { x: dy }, { shape: [n * oh * ow, oc] });
  const w2 = call(backend, 'Reshape', { x: filter }, { shape: [c, oc] });
  const wT = transpose2d(backend, w2); // [OC, C], small
  const g = matmul(backend, dy2, wT); // [M, C]
  free(backend, dy2, w2, wT);
  if (sh === 1 && sw === 1) {
    const res = call(backend, 'Reshape', { x: g }, { shape: [n, h, w, c] });
    free(backend, g);
    return res;
  }
  // zero-insert between the strided pixels, then crop or pad to the input size
  const g6 = call(backend, 'Reshape', { x: g }, { shape: [n, oh, 1, ow, 1, c] });
  const p6 = call(
    backend,
    'PadV2',
    { x: g6 },
    {
      paddings: [
        [0, 0],
        [0, 0],
        [0, sh - 1],
        [0, 0],
        [0, sw - 1],
        [0, 0],
      ],
      constantValue: 0,
    },
  );
  const full = call(backend, 'Reshape', { x: p6 }, { shape: [n, oh * sh, ow * sw, c] });
  free(backend, g, g6, p6);
  const hh = Math.min(h, oh * sh);
  const ww = Math.min(w, ow * sw);
  let res = full;
  if (hh !== oh * sh || ww !== ow * sw) {
    res = call(backend, 'Slice', { x: full }, { begin: [0, 0, 0, 0], size: [n, hh, ww, c] });
    free(backend, full);
  }
  if (hh < h || ww < w) {
    const padded = call(
      backend,
      'PadV2',
      { x: res },
      {
        paddings: [
          [0, 0],
          [0, h - hh],
          [0, w - ww],
          [0, 0],
        ],
        constantValue: 0,
      },
    );
    free(backend, res);
    res = padded;
  }
  return res;
}

/**
 * col2im in JS, the same loop as simd/kernels.wat's col2im (used where wasm SIMD is unavailable): adds the patch
 * rows [r0, r0 + rows) of cols [rows, KH*KW*C] back into out [N, H, W, C], skipping taps in the padding.
 */
function col2imJs(backend: Backend, cols: TensorInfo, out: TensorInfo, r0: number, rows: number, ci: any): void {
  const { inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = ci;
  const { filterHeight: kh, filterWidth: kw, padInfo } = ci;
  const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
  const outBase = heapOffset(backend, out) >>> 2;
  let src = heapOffset(backend, cols) >>> 2;
  for (let row = r0; row < r0 + rows; row++) {
    const b = Math.floor(row / (oh * ow));
    const oy = Math.floor(row / ow) % oh;
    const ox = row % ow;
    for (let i = 0; i < kh; i++) {
      const y = oy * sh - padInfo.top + i;
      for (let j = 0; j < kw; j++, src += c) {
        const x = ox * sw - padInfo.left + j;
        if (y < 0 || y >= h || x < 0 || x >= w) continue;
        const dst = outBase + ((b * h + y) * w + x) * c;
        for (let q = 0; q < c; q++) heap[dst + q] += heap[src + q];
      }
    }
  }
}

/**
 * dx by matmul + col2im: cols [M, KH*KW*C] = dy [M, OC] . W^T (row-major patches, so each tap of a row is C
 * contiguous values), then each row's taps are added back at the input pixels they read (simd/kernels.wat's
 * col2im, or the same loop in JS when `simd` is null). No filter transform, no operator (weight packing) per
 * call, no zero insertion for strides: the right choice for deep and strided layers (see preferCol2im).
 * Rows are processed in chunks so cols stays under MAX_PATCH_FLOATS.
 */
function col2imBackpropInput(backend: Backend, simd: SimdKernels | null, dy: TensorInfo, filter: TensorInfo, ci: any): TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow, outChannels: oc } = ci;
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, padInfo } = ci;
  const m = n * oh * ow;
  const k = kh * kw * c;
  const w2 = call(backend, 'Reshape', { x: filter }, { shape: [k, oc] });
  const dy2 = call(backend, 'Reshape', { x: dy }, { shape: [m, oc] });
  // wasm's BatchMatMul packs its second operand for every new tensor: keep the smaller matrix there. With a big filter,
  // cols^T [K, rows] = W . dy^T, transposed; otherwise cols = dy . W^T directly.
  const filterSecond = k <= m;
  const wT = filterSecond ? transpose2d(backend, w2) : null; // [OC, K]
  const dyT = filterSecond ? null : transpose2d(backend, dy2); // [OC, M]
  const out = backend.makeOutput([n, h, w, c], 'float32');
  new Float32Array(backend.wasm.HEAPU8.buffer, heapOffset(backend, out), n * h * w * c).fill(0);
  const rowsPerChunk = Math.max(1, Math.floor(MAX_PATCH_FLOATS / k));
  for (let r0 = 0; r0 < m; r0 += rowsPerChunk) {
    const rows = Math.min(rowsPerChunk, m - r0);
    let cols: TensorInfo;
    if (wT) {
      const part = rows === m ? dy2 : call(backend, 'Slice', { x: dy2 }, { begin: [r0, 0], size: [rows, oc] });
      cols = matmul(backend, part, wT); // [rows, K]
      if (part !== dy2) free(backend, part);
    } else {
      const part = rows === m ? dyT! : call(backend, 'Slice', { x: dyT! }, { begin: [0, r0], size: [oc, rows] });
      const colsT = matmul(backend, w2, part); // [K, rows]
      if (part !== dyT) free(backend, part);
      cols = transpose2d(backend, colsT);
      free(backend, colsT);
    }
    if (simd)
      simd.col2im(
        heapOffset(backend, cols),
        heapOffset(backend, out),
        r0,
        rows,
        h,
        w,
        c,
        oh,
        ow,
        kh,
        kw,
        sh,
        sw,
        padInfo.top,
        padInfo.left,
      );
    else col2imJs(backend, cols, out, r0, rows, ci);
    free(backend, cols);
  }
  free(backend, w2, dy2, wT ?? undefined, dyT ?? undefined);
  return out;
}

/**
 * How Conv2DBackpropInput computes dx on wasm: 'auto' chooses per layer (preferCol2im); tests and benchmarks
 * force a route to compare them ('col2im-js': the JS col2im used where wasm SIMD is unavailable).
 */
export const wasmKernelTuning: { backpropInput: 'auto' | 'conv' | 'col2im' | 'col2im-js' } = { backpropInput: 'auto' };

/**
 * Few output pixels relative to the filter: matmul + col2im beats a conv with a re-packed, transformed filter.
 * With the SIMD col2im it wins for strided layers, up to 2400 output pixels, and up to 9600 with 128 or more dy
 * channels (measured on DenseDepth-169's layers at 240x320, batch 2, 2 threads: 3.1x faster at 15x20 with 832
 * channels, 1.5x at 30x40 with 416, equal at 60x80 with 208; the conv wins at 120x160 and at 60x80 with 32
 * channels; npm run bench:routes prints the comparison).
 */
function preferCol2im(ci: any, simd: boolean): boolean {
  const m = ci.batchSize * ci.outHeight * ci.outWidth;
  const oc = ci.outChannels;
  const strided = ci.strideHeight > 1 || ci.strideWidth > 1;
  if (m < (strided ? 16 : 4) * oc) return true;
  // strided: the conv route zero-inserts dy first (the 7x7/2 stem at 240x320: 134 ms, against 28 by col2im)
  return simd && (strided || m <= 2400 || (m <= 9600 && oc >= 128));
}

function conv2DBackpropInput({ inputs, backend, attrs }: { inputs: any; backend: Backend; attrs: Attrs }): TensorInfo {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape, dilations } = attrs; // dilations: depthblocks' own attr
  const fmt = tf.backend_util.convertConv2DDataFormat(dataFormat || 'NHWC');
  if (fmt !== 'channelsLast') throw new Error('Conv2DBackpropInput (depthblocks wasm kernel): only NHWC is supported');
  const ci = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as any, strides, dilations ?? 1, pad, dimRoundingMode, false, fmt);
  if (isPointwise(ci)) return pointwiseBackpropInput(backend, dy, filter, ci);
  const dilated = ci.dilationHeight !== 1 || ci.dilationWidth !== 1;
  const simd = simdKernels(backend);
  const choice = dilated ? 'conv' : wasmKernelTuning.backpropInput; // the col2im routes do not dilate
  const route = choice === 'auto' ? (preferCol2im(ci, simd != null) ? 'col2im' : 'conv') : choice;
  if (route === 'col2im' || route === 'col2im-js') return col2imBackpropInput(backend, route === 'col2im' ? simd : null, dy, filter, ci);
  const { d, tmp } = prepareBackpropInput(backend, dy, ci);
  const fr = call(backend, 'Reverse', { x: filter }, { dims: [0, 1] });
  const ft = call(backend, 'Transpose', { x: fr }, { perm: [0, 1, 3, 2] }); // [KH, KW, OC, C]
  free(backend, fr);
  const dx = call(
    backend,
    'Conv2D',
    { x: d, filter: ft },
    { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [ci.dilationHeight, ci.dilationWidth], dimRoundingMode: undefined },
  );
  free(backend, ft, ...tmp);
  return dx;
}

function depthwiseConv2dNativeBackpropInput({ inputs, backend, attrs }: { inputs: any; backend: Backend; attrs: Attrs }): TensorInfo {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs;
  const ci = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as any, strides, dilations || 1, pad, dimRoundingMode, true);
  const [kh, kw, c, q] = filter.shape;
  const { d, tmp } = prepareBackpropInput(backend, dy, ci); // [N, H+KH-1, W+KW-1, C*Q]
  const fr = call(backend, 'Reverse', { x: filter }, { dims: [0, 1] });
  const f1 = call(backend, 'Reshape', { x: fr }, { shape: [kh, kw, c * q, 1] });
  free(backend, fr);
  const y = call(
    backend,
    'DepthwiseConv2dNative',
    { x: d, filter: f1 },
    { strides: [1, 1], pad: 'valid', dilations: [ci.dilationHeight, ci.dilationWidth], dataFormat: 'NHWC', dimRoundingMode: undefined },
  );
  free(backend, f1, ...tmp);
  if (q === 1) return y;
  const [n, h, w] = y.shape;
  const y5 = call(backend, 'Reshape', { x: y }, { shape: [n, h, w, c, q] });
  free(backend, y);
  const dx = call(backend, 'Sum', { x: y5 }, { axis: [4], keepDims: false });
  free(backend, y5);
  return dx;
}

/**
 * MaxPoolGrad: the stock wasm kernel routes dy to the wrong input for multi-channel inputs with padding
 * (e.g. 1x6x7x4, 3x3/2 'same'). This one routes each window's dy to its first maximum, as TensorFlow does.
 */
function maxPoolGrad({ inputs, backend, attrs }: { inputs: any; backend: Backend; attrs: Attrs }): TensorInfo {
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs;
  const info = tf.backend_util.computePool2DInfo(input.shape as any, filterSize, strides, 1, pad, dimRoundingMode);
  const {
    batchSize: n,
    inHeight: h,
    inWidth: w,
    inChannels: c,
    outHeight: oh,
    outWidth: ow,
    filterHeight: kh,
    filterWidth: kw,
    strideHeight: sh,
    strideWidth: sw,
    padInfo,
  } = info;
  const x = backend.readSync(input.dataId) as Float32Array;
  const g = backend.readSync(dy.dataId) as Float32Array;
  const out = new Float32Array(x.length);
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - padInfo.top;
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * sw - padInfo.left;
        const o = ((b * oh + oy) * ow + ox) * c;
        for (let ch = 0; ch < c; ch++) {
          let best = -Infinity;
          let at = -1;
          for (let i = Math.max(0, y0); i < Math.min(h, y0 + kh); i++) {
            for (let j = Math.max(0, x0); j < Math.min(w, x0 + kw); j++) {
              const idx = ((b * h + i) * w + j) * c + ch;
              if (x[idx] > best || at < 0) {
                best = x[idx];
                at = idx;
              }
            }
          }
          if (at >= 0) out[at] += g[o + ch];
        }
      }
    }
  }
  return backend.makeOutput(input.shape, 'float32', undefined, out);
}

/**
 * SplitV on the last axis (the gradient of every channel concatenation, DenseNet's above all) as one strided
 * row copy per part with simd/kernels.wat, instead of tfjs' generic Slice per part. Other axes: the stock kernel.
 */
function splitV(args: { inputs: any; backend: Backend; attrs: Attrs }): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const { x } = inputs as { x: TensorInfo };
  const axis = tf.util.parseAxisParam(attrs.axis, x.shape)[0];
  const simd = simdKernels(backend);
  if (!simd || axis !== x.shape.length - 1 || x.dtype !== 'float32' || x.shape.length < 2) return stockSplitV!(args);
  const sizes = tf.backend_util.prepareSplitSize(x as any, attrs.numOrSizeSplits, axis) as number[];
  const c = x.shape[axis];
  const p = x.shape.reduce((a, b) => a * b, 1) / c;
  const outs: TensorInfo[] = sizes.map((s) => backend.makeOutput([...x.shape.slice(0, -1), s], 'float32'));
  let start = 0;
  sizes.forEach((s, i) => {
    if (s > 0 && p > 0) simd.copyRows(heapOffset(backend, x) + 4 * start, heapOffset(backend, outs[i]), p, 4 * c, 4 * s, 4 * s);
    start += s;
  });
  return outs;
}
let stockSplitV: ((a: any) => TensorInfo[]) | null = null;

/**
 * Identity that shares the data (reference count + 1), as the cpu backend's does and as wasm's own Reshape does.
 * The stock wasm kernel copies, and the engine clones every tensor it saves for backprop with it: every
 * activation and every weight (170 MB for DenseDepth-169) was copied once per training step.
 * Safe because tensors are immutable: no depthblocks kernel writes into an input.
 */
function identity({ inputs, backend }: { inputs: any; backend: Backend }): TensorInfo {
  const { x } = inputs as { x: TensorInfo };
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** Registers a wasm kernel that runs the cpu backend's kernel on copies of the inputs. */
function registerCpuFallback(c: ChangeSet, kernelName: string): void {
  const cpuKernel = tf.getKernel(kernelName, 'cpu');
  if (!cpuKernel) throw new Error(`no cpu kernel ${kernelName} to fall back to`);
  c.kernel({
    kernelName,
    backendName: 'wasm',
    kernelFunc: (({ inputs, backend, attrs }: { inputs: any; backend: Backend; attrs: Attrs }) => {
      const cpu: any = tf.findBackend('cpu');
      const move = (t: TensorInfo): TensorInfo => ({
        dataId: cpu.write(backend.readSync(t.dataId), t.shape, t.dtype),
        shape: t.shape,
        dtype: t.dtype,
      });
      const cpuInputs = Object.fromEntries(Object.entries(inputs as Record<string, TensorInfo>).map(([k, t]) => [k, move(t)]));
      const raw = cpuKernel.kernelFunc({ inputs: cpuInputs, backend: cpu, attrs } as any) as TensorInfo | TensorInfo[];
      const outs = Array.isArray(raw) ? raw : [raw];
      const res = outs.map((o) => backend.makeOutput(o.shape, o.dtype, undefined, cpu.readSync(o.dataId)));
      Object.values(cpuInputs).forEach((t) => cpu.disposeData(t.dataId));
      outs.forEach((o) => cpu.disposeData(o.dataId));
      return Array.isArray(raw) ? res : res[0];
    }) as any,
  });
}

/** Property set on the convolution backprop kernels here: they take the extra attr `dilations`. */
const TAKES_DILATIONS = 'depthblocksDilations';

/**
 * Whether the convolution backprop kernel registered for a backend (default: the active one) is one of these,
 * which take dilations directly; elsewhere dilated gradients go through space-to-batch.
 */
export function takesDilations(kernelName: string, backendName: string = tf.getBackend()): boolean {
  const k = tf.getKernel(kernelName, backendName);
  return k != null && (k.kernelFunc as unknown as Record<string, unknown>)[TAKES_DILATIONS] === true;
}

/** The patch: the kernels above, registered for wasm (replacing the stock ones where there are any). */
export const wasmKernels: Patch = {
  name: 'wasmKernels',
  tfjs: ['tfjs-core', 'tfjs-backend-cpu', 'tfjs-backend-wasm'],
  apply(c) {
    const replace = (kernelName: string, kernelFunc: (a: any) => TensorInfo | TensorInfo[], dilations = false): void => {
      // keep the stock setupFunc: it binds the wasm function a wrapper may still call (Conv2D)
      const setupFunc = tf.getKernel(kernelName, 'wasm')?.setupFunc;
      const func = dilations ? Object.assign(kernelFunc, { [TAKES_DILATIONS]: true }) : kernelFunc;
      c.kernel({ kernelName, backendName: 'wasm', kernelFunc: func as any, setupFunc });
    };
    const stock = tf.getKernel('SplitV', 'wasm');
    if (!stock) throw new Error('tfjs-backend-wasm is not loaded: its SplitV kernel is missing');
    stockSplitV = stock.kernelFunc as (a: any) => TensorInfo[];
    replace('SplitV', splitV);
    replace('Conv2DBackpropFilter', conv2DBackpropFilter, true);
    replace('Conv2DBackpropInput', conv2DBackpropInput, true);
    replace('DepthwiseConv2dNativeBackpropFilter', depthwiseConv2dNativeBackpropFilter, true);
    replace('DepthwiseConv2dNativeBackpropInput', depthwiseConv2dNativeBackpropInput, true);
    replace('MaxPoolGrad', maxPoolGrad);
    replace('Identity', identity);
    for (const k of KERNELS_NEEDING_CPU_FALLBACK) if (!tf.getKernel(k, 'wasm')) registerCpuFallback(c, k);
  },
};
