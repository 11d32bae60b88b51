/** The standard classes of binary data: buffers, views and every typed array (read as globals by the source reader, compared by bytes by the testing kit). */
export const BINARY_DATA_CLASS_NAMES: readonly string[] = [
  "ArrayBuffer",
  "SharedArrayBuffer",
  "DataView",
  "Int8Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "Int16Array",
  "Uint16Array",
  "Int32Array",
  "Uint32Array",
  "Float32Array",
  "Float64Array",
  "BigInt64Array",
  "BigUint64Array",
];
