import { DepthblocksError, bf16ToFloat, floatToBf16, floatToHalf, halfToFloat, readSafetensors, writeSafetensors } from '../src';

test('float16 and bfloat16 conversions match the IEEE / bfloat16 bit patterns', () => {
  // published bit patterns (IEEE 754 binary16 examples)
  const half: [number, number][] = [
    [1, 0x3c00],
    [-2, 0xc000],
    [65504, 0x7bff],
    [2 ** -24, 0x0001],
    [2 ** -14, 0x0400],
    [0.333251953125, 0x3555],
    [0, 0],
    [Infinity, 0x7c00],
  ];
  for (const [v, bits] of half) {
    expect(floatToHalf(v)).toBe(bits);
    expect(halfToFloat(bits)).toBe(v);
  }
  expect(floatToHalf(0.1)).toBe(0x2e66); // nearest half to 0.1
  expect(floatToHalf(1e6)).toBe(0x7c00); // overflow -> inf
  expect(Number.isNaN(halfToFloat(floatToHalf(NaN)))).toBe(true);
  const bf: [number, number][] = [
    [1, 0x3f80],
    [-2, 0xc000],
    [3.140625, 0x4049],
    [0, 0],
  ];
  for (const [v, bits] of bf) {
    expect(floatToBf16(v)).toBe(bits);
    expect(bf16ToFloat(bits)).toBe(v);
  }
  expect(floatToBf16(Math.PI)).toBe(0x4049); // rounds to nearest
  expect(floatToBf16(0.1)).toBe(0x3dcd);
});

test('reads a file built byte by byte from the format specification', () => {
  const header = JSON.stringify({
    __metadata__: { format: 'pt' },
    a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
    b: { dtype: 'F16', shape: [1, 2], data_offsets: [8, 12] },
    c: { dtype: 'BF16', shape: [], data_offsets: [12, 14] },
  });
  const hb = new TextEncoder().encode(header);
  const buf = new Uint8Array(8 + hb.length + 14);
  const v = new DataView(buf.buffer);
  v.setBigUint64(0, BigInt(hb.length), true);
  buf.set(hb, 8);
  const d = 8 + hb.length;
  v.setFloat32(d, 1.5, true);
  v.setFloat32(d + 4, -3, true);
  v.setUint16(d + 8, 0x3c00, true);
  v.setUint16(d + 10, 0xc000, true);
  v.setUint16(d + 12, 0x4049, true);
  const f = readSafetensors(buf);
  expect(f.metadata).toEqual({ format: 'pt' });
  expect(f.tensors.get('a')).toMatchObject({ dtype: 'F32', shape: [2] });
  expect(Array.from(f.tensors.get('a')!.data)).toEqual([1.5, -3]);
  expect(Array.from(f.tensors.get('b')!.data)).toEqual([1, -2]);
  expect(f.tensors.get('c')!.shape).toEqual([]);
  expect(Array.from(f.tensors.get('c')!.data)).toEqual([3.140625]);
});

test.each(['F32', 'F16', 'BF16'] as const)('round-trips %s with 8-byte-aligned data', (dtype) => {
  const data = Float32Array.from({ length: 2 * 3 * 3 * 3 }, (_, i) => (i - 20) / 8);
  const bytes = writeSafetensors(
    { 'conv1.weight': { shape: [2, 3, 3, 3], data }, 'bn1.bias': { shape: [2], data: Float32Array.of(0.5, -0.25) } },
    { format: 'pt' },
    dtype,
  );
  const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  expect((8 + headerLen) % 8).toBe(0);
  const f = readSafetensors(bytes);
  expect(f.tensors.get('conv1.weight')!.dtype).toBe(dtype);
  expect(f.tensors.get('conv1.weight')!.shape).toEqual([2, 3, 3, 3]);
  // these values are exact in all three formats (multiples of 1/8 below 8)
  expect(Array.from(f.tensors.get('conv1.weight')!.data)).toEqual(Array.from(data));
  expect([...f.tensors.keys()]).toEqual(['bn1.bias', 'conv1.weight']);
});

test('malformed files give WEIGHTS_FORMAT errors that say what is wrong', () => {
  const bad = (b: Uint8Array): string => {
    try {
      readSafetensors(b, 'x.safetensors');
    } catch (e) {
      expect(e).toBeInstanceOf(DepthblocksError);
      expect((e as DepthblocksError).code).toBe('WEIGHTS_FORMAT');
      return (e as Error).message;
    }
    throw new Error('no error');
  };
  expect(bad(new Uint8Array(4))).toMatch(/only 4 bytes/);
  const ok = writeSafetensors({ w: { shape: [4], data: new Float32Array(4) } });
  expect(bad(ok.subarray(0, ok.length - 4))).toMatch(/exceed the data size/);
  const huge = new Uint8Array(16);
  new DataView(huge.buffer).setBigUint64(0, 1000n, true);
  expect(bad(huge)).toMatch(/header length 1000 exceeds/);
  expect(() => writeSafetensors({ w: { shape: [3], data: new Float32Array(4) } })).toThrow(/shape \[3\] \(3 values\) but 4 values/);
});

/** A safetensors file from a header object and a data length (data bytes are zeros). */
function fileOf(header: Record<string, unknown>, dataLen: number): Uint8Array {
  const hb = new TextEncoder().encode(JSON.stringify(header));
  const buf = new Uint8Array(8 + hb.length + dataLen);
  new DataView(buf.buffer).setBigUint64(0, BigInt(hb.length), true);
  buf.set(hb, 8);
  return buf;
}

describe('untrusted files: what the reference implementation (huggingface/safetensors) rejects is rejected', () => {
  const f32 = (shape: number[], offsets: unknown) => ({ dtype: 'F32', shape, data_offsets: offsets });
  const reject = (bytes: Uint8Array, why: RegExp) => {
    let err: unknown;
    try {
      readSafetensors(bytes, 'evil.safetensors');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DepthblocksError);
    expect((err as DepthblocksError).code).toBe('WEIGHTS_FORMAT');
    expect((err as Error).message).toMatch(/evil\.safetensors/);
    expect((err as Error).message).toMatch(why);
  };

  test('overlapping tensors (two names over the same bytes)', () => {
    reject(fileOf({ a: f32([2], [0, 8]), b: f32([2], [0, 8]) }, 8), /'b' has data_offsets \[0, 8\].*overlaps/);
    reject(fileOf({ a: f32([2], [0, 8]), b: f32([2], [4, 12]) }, 12), /'b' has data_offsets \[4, 12\].*should start at byte 8/);
  });
  test('fractional, negative and non-numeric offsets or dimensions', () => {
    reject(fileOf({ a: f32([1], [0.5, 4.5]) }, 5), /data_offsets \[0\.5,4\.5\].*non-negative integers/);
    reject(fileOf({ a: f32([1], [-4, 0]) }, 4), /data_offsets \[-4,0\]/);
    reject(fileOf({ a: f32([1], ['0', '4']) }, 4), /data_offsets \["0","4"\]/);
    reject(fileOf({ a: f32([1], [0, 4, 8]) }, 8), /data_offsets \[0,4,8\]/);
    reject(fileOf({ a: f32([1.5, 2], [0, 12]) }, 12), /shape \[1\.5,2\].*non-negative integers/);
    reject(fileOf({ a: f32([-1], [0, 4]) }, 4), /shape \[-1\]/);
  });
  test('data that does not start at 0, has gaps, or does not end at the end of the file', () => {
    reject(fileOf({ a: f32([1], [4, 8]) }, 8), /should start at byte 0 \(there is a gap/);
    reject(fileOf({ a: f32([1], [0, 4]), b: f32([1], [8, 12]) }, 12), /'b'.*should start at byte 4 \(there is a gap/);
    reject(fileOf({ a: f32([1], [0, 4]) }, 12), /8 bytes after the last tensor/);
    reject(fileOf({ a: f32([2], [0, 8]) }, 4), /exceed the data size 4/);
  });
  test('offsets that disagree with the shape, and end before begin', () => {
    reject(fileOf({ a: f32([3], [0, 8]) }, 8), /needs 12 bytes, offsets give 8/);
    reject(fileOf({ a: f32([0], [0, 0]), b: f32([1], [0, 4]), c: f32([0], [4, 2]) }, 4), /'c' has data_offsets \[4, 2\]/);
  });
  test('a header that is not a JSON object of entries, or metadata that is not strings', () => {
    reject(fileOf({ __metadata__: { epoch: 3 } } as never, 0), /__metadata__ must map strings to strings/);
    const bin = new Uint8Array(8 + 4);
    new DataView(bin.buffer).setBigUint64(0, 4n, true);
    bin.set([0x7b, 0xff, 0xfe, 0x7d], 8); // '{', invalid UTF-8, '}'
    reject(bin, /not UTF-8 JSON/);
    reject(fileOf([1, 2] as never, 0), /not a JSON object/);
    reject(fileOf({ a: { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } }, 1), /unsupported dtype "F8_E4M3"/);
    const big = new Uint8Array(16);
    new DataView(big.buffer).setBigUint64(0, 200_000_000n, true);
    reject(big, /over the format's limit/);
  });
  test('valid edge cases still load: empty tensors, any key order, no tensors at all', () => {
    const ok = readSafetensors(fileOf({ b: f32([1], [0, 4]), a: f32([0, 3], [0, 0]) }, 4));
    expect(ok.tensors.get('a')!.shape).toEqual([0, 3]);
    expect(Array.from(ok.tensors.get('b')!.data)).toEqual([0]);
    expect(readSafetensors(fileOf({}, 0)).tensors.size).toBe(0);
  });
});
