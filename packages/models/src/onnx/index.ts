/** ONNX export (exportOnnx) and inference through ONNX Runtime (OnnxModel). */
export { exportOnnx, ONNX_EXTERNAL_DATA_THRESHOLD } from './export';
export type { ExportOnnxOptions, OnnxExport } from './export';
export { OnnxModel, loadOnnxModel } from './runtime';
export type { LoadOnnxOptions } from './runtime';
export type { OrtModule, OrtSession, OrtTensor } from './ort';
export { readOnnxMetadata, ONNX_METADATA_KEYS, ONNX_METADATA_FORMAT } from './metadata';
export type { OnnxMetadata, OnnxInputInfo, OnnxOutputInfo } from './metadata';
export { registerOnnxLayer, onnxLayerClasses } from './layers';
export { onnxAxis } from './converter';
export type { LayerConverter, ConvertContext, Value as OnnxValue } from './converter';
export { ONNX_OPSET, ONNX_IR_VERSION, decodeModel as decodeOnnxModel } from './proto';
export { predictOnnx } from './predict-onnx';
