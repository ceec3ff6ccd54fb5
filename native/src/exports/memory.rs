//! tuneAllocator(trimThresholdBytes, mmapThresholdBytes): opt-in glibc malloc tuning for a
//! broker process. Node allocates every Buffer with malloc; with glibc's defaults, buffers of
//! around 1 MiB (record batches, decompressed payloads) come from fresh mmap'd or re-grown
//! memory, and each 4 KiB page then costs a page fault, which dominates the time of a 1 MiB
//! decompress on virtual machines. Raising the trim and mmap thresholds keeps freed memory for
//! reuse. It changes the whole process, so nothing calls it implicitly: the broker's start-up
//! decides. Returns false where it cannot apply (not glibc, or mallopt refused).

use crate::napi::sys::napi_value;
use crate::napi::{Args, JsError, JsResult};

/// The largest threshold accepted (glibc caps the mmap threshold at 32 MiB on 64-bit anyway).
const THRESHOLD_BYTES_MAX: usize = 1 << 30;

#[cfg(target_env = "gnu")]
fn set_thresholds(trim_threshold_bytes: usize, mmap_threshold_bytes: usize) -> bool {
    use std::ffi::c_int;
    const M_TRIM_THRESHOLD: c_int = -1;
    const M_MMAP_THRESHOLD: c_int = -3;
    extern "C" {
        fn mallopt(param: c_int, value: c_int) -> c_int;
    }
    let trimmed = unsafe { mallopt(M_TRIM_THRESHOLD, trim_threshold_bytes as c_int) } == 1;
    let mapped = unsafe { mallopt(M_MMAP_THRESHOLD, mmap_threshold_bytes as c_int) } == 1;
    trimmed && mapped
}

#[cfg(not(target_env = "gnu"))]
fn set_thresholds(_trim_threshold_bytes: usize, _mmap_threshold_bytes: usize) -> bool {
    false
}

pub fn tune_allocator_js(args: &Args) -> JsResult<napi_value> {
    let trim = args.index(0, "trimThresholdBytes")?;
    let mmap = args.index(1, "mmapThresholdBytes")?;
    if trim > THRESHOLD_BYTES_MAX || mmap > THRESHOLD_BYTES_MAX {
        return Err(JsError::range_error("threshold", format!("thresholds must be at most {THRESHOLD_BYTES_MAX} bytes")));
    }
    args.env.boolean(set_thresholds(trim, mmap))
}
