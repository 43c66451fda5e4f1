/**
 * A small builder for ONNX graphs: nodes with typed attributes, float and int64 initializers, unique value
 * names, and dead-node removal (converters may emit a node that a later fusion makes unused).
 */
import { AttributeType, DataType, type AttributeProto, type NodeProto, type TensorProto } from './proto';

/** An attribute value, tagged with its ONNX type (JS numbers do not say whether they are ints or floats). */
export type Attr = { f: number } | { i: number } | { s: string } | { floats: number[] } | { ints: number[] } | { t: TensorProto };

/** Attribute constructors: `{ group: int(32), epsilon: float(1e-5), mode: str('linear'), pads: ints([1, 1, 1, 1]) }`. */
export const int = (i: number): Attr => ({ i });
export const float = (f: number): Attr => ({ f });
export const str = (s: string): Attr => ({ s });
export const ints = (v: number[]): Attr => ({ ints: v });

function toAttribute(name: string, a: Attr): AttributeProto {
  if ('f' in a) return { name, type: AttributeType.FLOAT, f: a.f };
  if ('i' in a) return { name, type: AttributeType.INT, i: a.i };
  if ('s' in a) return { name, type: AttributeType.STRING, s: new TextEncoder().encode(a.s) };
  if ('floats' in a) return { name, type: AttributeType.FLOATS, floats: a.floats };
  if ('ints' in a) return { name, type: AttributeType.INTS, ints: a.ints };
  return { name, type: AttributeType.TENSOR, t: a.t };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Little-endian bytes of a typed array (ONNX raw_data is little-endian): on little-endian machines a view of the
 * same memory (the builder owns the arrays it is given; nothing writes to them afterwards), else a swapped copy.
 */
function littleEndianBytes(values: Float32Array | BigInt64Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint8Array(values.byteLength);
  const view = new DataView(out.buffer);
  if (values instanceof Float32Array) for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i], true);
  else for (let i = 0; i < values.length; i++) view.setBigInt64(8 * i, values[i], true);
  return out;
}

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly used = new Set<string>();

  /** A value name not used yet, based on `base` (layer names keep their slashes: ONNX names are free text). */
  unique(base: string): string {
    let name = base || 'value';
    for (let k = 1; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }

  /** Adds a node; returns its output names (`outputs` of them, named after `name`). */
  nodeN(opType: string, inputs: string[], attrs: Record<string, Attr>, name: string, outputs: number): string[] {
    const nodeName = this.unique(name);
    const out = Array.from({ length: outputs }, (_, k) => (k === 0 ? nodeName : this.unique(`${nodeName}:${k}`)));
    this.nodes.push({
      name: nodeName,
      op_type: opType,
      input: inputs,
      output: out,
      attribute: Object.entries(attrs).map(([k, v]) => toAttribute(k, v)),
    });
    return out;
  }

  /** Adds a one-output node whose output gets the reserved name `output` (a graph output). */
  nodeTo(opType: string, inputs: string[], attrs: Record<string, Attr>, name: string, output: string): void {
    this.nodes.push({
      name: this.unique(name),
      op_type: opType,
      input: inputs,
      output: [output],
      attribute: Object.entries(attrs).map(([k, v]) => toAttribute(k, v)),
    });
  }

  /** Adds a one-output node named `name` (made unique) and returns its output's name. */
  node(opType: string, inputs: string[], attrs: Record<string, Attr> = {}, name = opType): string {
    return this.nodeN(opType, inputs, attrs, name, 1)[0];
  }

  /** A float32 initializer (data in row-major order of `dims`; the builder keeps the array: do not change it afterwards). */
  floats(name: string, data: Float32Array | number[], dims: number[]): string {
    const values = data instanceof Float32Array ? data : Float32Array.from(data);
    const n = this.unique(name);
    this.initializers.push({ name: n, dims, data_type: DataType.FLOAT, raw_data: littleEndianBytes(values) });
    return n;
  }

  /** An int64 initializer (shapes, axes, pads), 1-D unless `dims` says otherwise. */
  int64s(name: string, values: number[], dims: number[] = [values.length]): string {
    const n = this.unique(name);
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    this.initializers.push({ name: n, dims, data_type: DataType.INT64, raw_data: littleEndianBytes(data) });
    return n;
  }

  /** Removes nodes whose outputs nothing reads (and initializers no node reads), keeping `outputs`. */
  prune(outputs: string[]): void {
    const needed = new Set(outputs);
    const keep: NodeProto[] = [];
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const n = this.nodes[i];
      if (!n.output.some((o) => needed.has(o))) continue;
      keep.push(n);
      for (const x of n.input) if (x) needed.add(x);
    }
    keep.reverse();
    this.nodes.splice(0, this.nodes.length, ...keep);
    const inits = this.initializers.filter((t) => needed.has(t.name));
    this.initializers.splice(0, this.initializers.length, ...inits);
  }
}
