/**
 * safetensors reader and writer (https://huggingface.co/docs/safetensors): an 8-byte little-endian header
 * length, a JSON header `{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__?: {...} }`,
 * then the raw little-endian tensor bytes. Values are returned as float32 (F16 and BF16 are widened).
 */
import { DepthblocksError } from '../errors';
import { bf16ToFloat, floatToBf16, floatToHalf, halfToFloat } from './float16';
import { sizeOf, type WeightTensor } from './types';

export type SafetensorsDtype = 'F32' | 'F16' | 'BF16' | 'F64' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

const BYTES: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

export interface SafetensorsFile {
  tensors: Map<string, WeightTensor & { dtype: SafetensorsDtype }>;
  metadata: Record<string, string>;
}

function decode(dtype: SafetensorsDtype, view: DataView, offset: number, n: number): Float32Array {
  const out = new Float32Array(n);
  switch (dtype) {
    case 'F32':
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(offset + 4 * i, true);
      break;
    case 'F16':
      for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(offset + 2 * i, true));
      break;
    case 'BF16':
      for (let i = 0; i < n; i++) out[i] = bf16ToFloat(view.getUint16(offset + 2 * i, true));
      break;
    case 'F64':
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(offset + 8 * i, true);
      break;
    case 'I64':
      for (let i = 0; i < n; i++) out[i] = Number(view.getBigInt64(offset + 8 * i, true));
      break;
    case 'I32':
      for (let i = 0; i < n; i++) out[i] = view.getInt32(offset + 4 * i, true);
      break;
    case 'I16':
      for (let i = 0; i < n; i++) out[i] = view.getInt16(offset + 2 * i, true);
      break;
    case 'I8':
      for (let i = 0; i < n; i++) out[i] = view.getInt8(offset + i);
      break;
    case 'U8':
    case 'BOOL':
      for (let i = 0; i < n; i++) out[i] = view.getUint8(offset + i);
      break;
  }
  return out;
}

/** The reference implementation's limit on the JSON header (safetensors/src/tensor.rs, MAX_HEADER_SIZE). */
const MAX_HEADER_SIZE = 100_000_000;

const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * Parses a .safetensors file, as strictly as the format's reference implementation
 * (huggingface/safetensors, `SafeTensors::read_metadata` and `Metadata::validate`): the header is UTF-8 JSON of
 * at most 100 MB; `__metadata__` maps strings to strings; every shape entry and offset is a non-negative
 * integer; taken in offset order, the tensors' byte ranges start at 0, follow each other without gap or
 * overlap, each holds exactly its shape's bytes, and the last ends exactly at the end of the file. Anything
 * else throws DepthblocksError('WEIGHTS_FORMAT') naming the tensor and the values.
 *
 * @example
 * const { tensors } = readSafetensors(fs.readFileSync('resnet18.safetensors'));
 * tensors.get('conv1.weight')!.shape; // [64, 3, 7, 7]
 */
export function readSafetensors(bytes: Uint8Array, source = 'safetensors data'): SafetensorsFile {
  const fail = (what: string): never => {
    throw new DepthblocksError('WEIGHTS_FORMAT', `Not a valid safetensors file (${source}): ${what}`);
  };
  if (bytes.byteLength < 8) fail(`only ${bytes.byteLength} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = Number(view.getBigUint64(0, true));
  if (headerLen > MAX_HEADER_SIZE) fail(`header length ${headerLen} is over the format's limit of ${MAX_HEADER_SIZE} bytes`);
  if (headerLen <= 0 || 8 + headerLen > bytes.byteLength) fail(`header length ${headerLen} exceeds file size ${bytes.byteLength}`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen)));
  } catch (e) {
    return fail(`header is not UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header is not a JSON object');
  const dataStart = 8 + headerLen;
  const dataLen = bytes.byteLength - dataStart;
  let metadata: Record<string, string> = {};
  const entries: { name: string; dtype: SafetensorsDtype; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      const m = entry as Record<string, unknown>;
      if (typeof m !== 'object' || m === null || Array.isArray(m) || Object.values(m).some((v) => typeof v !== 'string')) {
        fail(`__metadata__ must map strings to strings, got ${JSON.stringify(entry).slice(0, 100)}`);
      }
      metadata = m as Record<string, string>;
      continue;
    }
    const { dtype, shape, data_offsets: offsets } = (entry ?? {}) as { dtype: SafetensorsDtype; shape: unknown; data_offsets: unknown };
    if (typeof dtype !== 'string' || !(dtype in BYTES)) fail(`tensor '${name}' has unsupported dtype ${JSON.stringify(dtype)}`);
    if (!Array.isArray(shape) || !shape.every(isIndex))
      fail(`tensor '${name}' has shape ${JSON.stringify(shape)}; dimensions must be non-negative integers`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex)) {
      fail(`tensor '${name}' has data_offsets ${JSON.stringify(offsets)}; they must be two non-negative integers [begin, end]`);
    }
    const [begin, end] = offsets as [number, number];
    entries.push({ name, dtype, shape: shape as number[], begin, end });
  }
  // as the reference implementation: in offset order, each tensor starts where the previous one ended
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expectedBegin = 0;
  for (const { name, dtype, shape, begin, end } of entries) {
    if (begin !== expectedBegin || end < begin) {
      fail(
        `tensor '${name}' has data_offsets [${begin}, ${end}] but the data must be contiguous: it should start at byte ${expectedBegin}` +
          (begin < expectedBegin ? ' (it overlaps the tensor before it)' : begin > expectedBegin ? ' (there is a gap before it)' : ''),
      );
    }
    const n = sizeOf(shape);
    if (end - begin !== n * BYTES[dtype])
      fail(`tensor '${name}' (${dtype} [${shape}]) needs ${n * BYTES[dtype]} bytes, offsets give ${end - begin}`);
    if (end > dataLen) fail(`tensor '${name}' offsets [${begin}, ${end}] exceed the data size ${dataLen} (truncated file?)`);
    expectedBegin = end;
  }
  if (expectedBegin !== dataLen)
    fail(`${dataLen - expectedBegin} bytes after the last tensor (data ends at ${expectedBegin}, the file at ${dataLen})`);
  const tensors = new Map<string, WeightTensor & { dtype: SafetensorsDtype }>();
  for (const { name, dtype, shape, begin } of entries) {
    tensors.set(name, { dtype, shape, data: decode(dtype, view, dataStart + begin, sizeOf(shape)) });
  }
  return { tensors, metadata };
}

/**
 * Serialises tensors to the safetensors format, stored as `dtype` (default F32). Tensor order is sorted by
 * name, as the reference implementation writes them.
 *
 * @example
 * const bytes = writeSafetensors({ 'conv1.weight': { shape: [64, 3, 7, 7], data } }, { format: 'pt' });
 */
export function writeSafetensors(
  tensors: Record<string, WeightTensor> | Map<string, WeightTensor>,
  metadata?: Record<string, string>,
  dtype: 'F32' | 'F16' | 'BF16' = 'F32',
): Uint8Array {
  const entries = [...(tensors instanceof Map ? tensors.entries() : Object.entries(tensors))].sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  const bpe = BYTES[dtype];
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of entries) {
    const n = sizeOf(t.shape);
    if (n !== t.data.length) {
      throw new DepthblocksError('SHAPE_MISMATCH', `Tensor '${name}' has shape [${t.shape}] (${n} values) but ${t.data.length} values`);
    }
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + n * bpe] };
    offset += n * bpe;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerBytes = new Uint8Array(Math.ceil(json.length / 8) * 8).fill(0x20); // space-padded to 8 bytes, as the reference writer does
  headerBytes.set(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let p = 8 + headerBytes.length;
  for (const [, t] of entries) {
    for (let i = 0; i < t.data.length; i++, p += bpe) {
      if (dtype === 'F32') view.setFloat32(p, t.data[i], true);
      else if (dtype === 'F16') view.setUint16(p, floatToHalf(t.data[i]), true);
      else view.setUint16(p, floatToBf16(t.data[i]), true);
    }
  }
  return out;
}
