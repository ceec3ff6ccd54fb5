// Result codes shared by every WASM entry point. A non-negative result is a byte count; a
// negative one is one of these. src/accel/wasm.ts maps them to typed errors.

/** The input is not a valid stream (bad magic, bad bounds, bad element). */
export const ERR_CORRUPT: i32 = -1;
/** The input ends before the stream does. */
export const ERR_TRUNCATED: i32 = -2;
/** The output region the caller gave is too small for what the input decodes to. */
export const ERR_OUTPUT_FULL: i32 = -3;
/** A checksum stored in the stream does not match the data. */
export const ERR_CHECKSUM: i32 = -4;
/** A valid stream that needs something we do not have (an LZ4 dictionary). */
export const ERR_UNSUPPORTED: i32 = -5;
/** The frame header checksum matches neither the standard nor the old Kafka computation. */
export const ERR_HEADER_CHECKSUM: i32 = -6;
/** A record body field is invalid; recordErrorReason() says which. */
export const ERR_RECORD: i32 = -7;
