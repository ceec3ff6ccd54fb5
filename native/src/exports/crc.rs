//! crc32c(buf, start?, end?, seed?) and crc32cPortable(...): the CRC of buf[start, end).

use crate::crc32c;
use crate::napi::sys::napi_value;
use crate::napi::{Args, JsError, JsResult};

/// buf[start, end) and the seed, from (buf, start?, end?, seed?).
fn crc_input(args: &Args) -> JsResult<(&'static [u8], u32)> {
    let buffer = args.buffer(0, "buf")?;
    let start = args.opt_index(1, "start")?.unwrap_or(0);
    let end = args.opt_index(2, "end")?.unwrap_or(buffer.len);
    if start > end || end > buffer.len {
        return Err(JsError::range_error(
            "start/end",
            format!("[{start}, {end}) is not a range within a buffer of {} bytes", buffer.len),
        ));
    }
    let seed = args.opt_double(3, "seed")?.unwrap_or(0.0);
    if !(seed.fract() == 0.0 && (0.0..=u32::MAX as f64).contains(&seed)) {
        return Err(JsError::range_error("seed", format!("crc32c seed {seed} is not an unsigned 32-bit integer")));
    }
    // Safety: the Buffer is an argument of the running call, alive until it returns.
    let bytes = unsafe { buffer.as_slice() };
    Ok((&bytes[start..end], seed as u32))
}

pub fn crc32c_js(args: &Args) -> JsResult<napi_value> {
    let (bytes, seed) = crc_input(args)?;
    args.env.uint32(crc32c::crc32c(seed, bytes))
}

pub fn crc32c_portable_js(args: &Args) -> JsResult<napi_value> {
    let (bytes, seed) = crc_input(args)?;
    args.env.uint32(crc32c::crc32c_portable(seed, bytes))
}
