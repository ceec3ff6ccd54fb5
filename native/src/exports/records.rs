//! scanRecords(buf, start, end, count, headerCountMax, out): scans buf[start, end) (see
//! records.rs) and returns 0, or the failure reason code. `out` is a Buffer over a Float64Array
//! of SCAN_OUT_SLOTS numbers the caller reuses: on success timestampDeltaMin,
//! timestampDeltaMax, nullKeyCount, offsetDeltaMismatchIndex (-1 for none); on failure slot
//! SCAN_OUT_ERROR_INDEX holds the failing record's index (count: bytes after the last record).

use crate::napi::sys::napi_value;
use crate::napi::{Args, JsError, JsResult};
use crate::records::{scan_records, RecordScan};

const SCAN_OUT_SLOTS: usize = 5;
const SCAN_OUT_ERROR_INDEX: usize = 4;

fn write_slots(out: &mut [u8], values: [f64; SCAN_OUT_SLOTS]) {
    for (slot, value) in out.chunks_exact_mut(8).zip(values) {
        slot.copy_from_slice(&value.to_ne_bytes());
    }
}

fn scan_slots(scan: &RecordScan) -> [f64; SCAN_OUT_SLOTS] {
    let mismatch = scan.offset_delta_mismatch_index.map_or(-1.0, |index| index as f64);
    [scan.timestamp_delta_min as f64, scan.timestamp_delta_max as f64, scan.null_key_count as f64, mismatch, -1.0]
}

pub fn scan_records_js(args: &Args) -> JsResult<napi_value> {
    let buffer = args.buffer(0, "buf")?;
    let start = args.index(1, "start")?;
    let end = args.index(2, "end")?;
    let count = args.opt_uint32(3, "count")?.ok_or_else(|| JsError::type_error("count", "a number"))?;
    let header_count_max = args.opt_uint32(4, "headerCountMax")?.ok_or_else(|| JsError::type_error("headerCountMax", "a number"))?;
    let out = args.buffer(5, "out")?;
    if start > end || end > buffer.len {
        return Err(JsError::range_error("start/end", format!("[{start}, {end}) is not within a buffer of {} bytes", buffer.len)));
    }
    if out.len < SCAN_OUT_SLOTS * 8 {
        return Err(JsError::range_error("out", format!("has {} bytes, needs {}", out.len, SCAN_OUT_SLOTS * 8)));
    }
    // Safety: both Buffers are arguments of the running call, alive until it returns, and
    // distinct objects (out is the caller's own scratch).
    let body = &unsafe { buffer.as_slice() }[start..end];
    let out_bytes = &mut unsafe { out.as_mut_slice() }[..SCAN_OUT_SLOTS * 8];
    let header_count_max = header_count_max.min(i32::MAX as u32) as i32;
    match scan_records(body, count, header_count_max) {
        Ok(scan) => {
            write_slots(out_bytes, scan_slots(&scan));
            args.env.uint32(0)
        }
        Err(err) => {
            let mut slots = [0.0; SCAN_OUT_SLOTS];
            slots[SCAN_OUT_ERROR_INDEX] = err.record_index as f64;
            write_slots(out_bytes, slots);
            args.env.uint32(err.reason)
        }
    }
}
