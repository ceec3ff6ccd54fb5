//! rill-native: the hot path of Rill as a Node-API addon. The JS-facing functions are listed in
//! `FUNCTIONS`; src/accel/native.ts adapts them to the `Accel` interface.
//!
//! Conventions: codecs are Kafka attribute ids (2 snappy, 3 lz4, 4 zstd); byte positions and
//! lengths are JS numbers below 2^53; compression errors carry code RILL_COMPRESSION_CORRUPT,
//! RILL_COMPRESSION_TRUNCATED or RILL_COMPRESSION_TOO_LARGE; system-call errors carry node's
//! code ('ENOENT', ...), a negative errno and the syscall name.

mod codec;
mod crc32c;
mod exports;
mod io;
mod napi;
mod records;

use std::ffi::CStr;
use std::ptr::null_mut;

use exports::codec::*;
use exports::crc::*;
use exports::io::*;
use exports::memory::*;
use exports::records::*;
use napi::sys::{napi_env, napi_value};
use napi::{Env, Handler, JsResult};

const FUNCTIONS: &[(&CStr, Handler)] = &[
    (c"crc32c", crc32c_js),
    (c"crc32cPortable", crc32c_portable_js),
    (c"compress", compress_js),
    (c"decompress", decompress_js),
    (c"compressStaged", compress_staged_js),
    (c"decompressStaged", decompress_staged_js),
    (c"takeStaged", take_staged_js),
    (c"compressAsync", compress_async_js),
    (c"decompressAsync", decompress_async_js),
    (c"open", open_js),
    (c"close", close_js),
    (c"pwrite", pwrite_js),
    (c"pwritev", pwritev_js),
    (c"pread", pread_js),
    (c"fdatasync", fdatasync_js),
    (c"fallocate", fallocate_js),
    (c"fileSize", file_size_js),
    (c"ftruncate", ftruncate_js),
    (c"pwriteAsync", pwrite_async_js),
    (c"pwritevAsync", pwritev_async_js),
    (c"preadAsync", pread_async_js),
    (c"fdatasyncAsync", fdatasync_async_js),
    (c"tuneAllocator", tune_allocator_js),
    (c"scanRecords", scan_records_js),
];

/// Node-API module entry point.
///
/// # Safety
/// Called by Node with a valid env and exports object.
#[no_mangle]
pub unsafe extern "C" fn napi_register_module_v1(env: napi_env, exports: napi_value) -> napi_value {
    let env = Env(env);
    match register(env, exports) {
        Ok(()) => exports,
        Err(err) => {
            env.throw(&err);
            null_mut()
        }
    }
}

fn register(env: Env, exports: napi_value) -> JsResult<()> {
    for (name, handler) in FUNCTIONS {
        env.export(exports, name, *handler)?;
    }
    env.set(exports, c"crc32cImplementation", env.string(crc32c::implementation_name())?)?;
    env.set(exports, c"ioVectorsMax", env.uint32(io::IOV_MAX as u32)?)?;
    Ok(())
}
