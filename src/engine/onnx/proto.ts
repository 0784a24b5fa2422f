import protobuf from 'protobufjs';
import { ONNX_PROTO_SCHEMA } from './onnx-schema';

let modelType: protobuf.Type | undefined;

/** protobufjs message type for onnx.ModelProto, built once from the embedded official schema. */
export function modelProtoType(): protobuf.Type {
  if (!modelType) {
    const root = protobuf.parse(ONNX_PROTO_SCHEMA, { keepCase: true }).root;
    modelType = root.lookupType('onnx.ModelProto');
  }
  return modelType;
}

/** protobufjs hands int64 fields back as Long objects when the `long` package is present. */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value && typeof value === 'object' && 'toNumber' in value && typeof value.toNumber === 'function') {
    return (value as { toNumber(): number }).toNumber();
  }
  if (typeof value === 'string') return Number(value);
  return 0;
}
