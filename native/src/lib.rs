//! rill-native: the hot path of Rill as a Node-API addon. The JS-facing functions are listed in
//! `FUNCTIONS`; src/accel/native.ts adapts them to the `Accel` interface.
//!
//! Conventions: codecs are Kafka attribute ids (2 snappy, 3 lz4, 4 zstd); byte positions and
//! lengths are JS numbers below 2^53; compression errors carry code RILL_COMPRESSION_CORRUPT,
//! RILL_COMPRESSION_TRUNCATED or RILL_COMPRESSION_TOO_LARGE; system-call errors carry node's
//! code ('ENOENT', ...), a negative errno and the syscall name.

mod codec;
mod crc32c;
mod io;
mod napi;

use std::cell::RefCell;
use std::ffi::CStr;
use std::ptr::null_mut;

use codec::{Codec, CodecError, ErrorKind};
use io::SysError;
use napi::sys::{napi_env, napi_value};
use napi::task::{spawn, Task};
use napi::{Args, Env, ErrorClass, ErrorValue, Handler, JsError, JsResult, RawBuf};

/// Decompression cap when the caller passes none (matches limits.decompressedBytesMax).
const DECOMPRESSED_BYTES_MAX_DEFAULT: usize = 256 * 1024 * 1024;
/// Most buffers one pwritev call accepts from JS (each is referenced while async work runs).
const PWRITEV_BUFFERS_MAX: usize = 1 << 20;
/// Codec outputs at least this large are adopted by JS without a copy; smaller ones are copied
/// out of a per-thread scratch buffer that stays allocated (fresh memory costs a page fault per
/// 4 KiB, which on virtual machines is slower than the copy).
const ADOPT_OUTPUT_MIN_BYTES: usize = 4 * 1024 * 1024;
/// Largest scratch capacity a thread keeps between calls.
const SCRATCH_RETAINED_BYTES_MAX: usize = 8 * 1024 * 1024;
const ZSTD_LEVEL_MIN: f64 = -131_072.0;
const ZSTD_LEVEL_MAX: f64 = 22.0;

const FUNCTIONS: &[(&CStr, Handler)] = &[
    (c"crc32c", crc32c_js),
    (c"crc32cPortable", crc32c_portable_js),
    (c"compress", compress_js),
    (c"decompress", decompress_js),
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

// ---- crc32c ----

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

fn crc32c_js(args: &Args) -> JsResult<napi_value> {
    let (bytes, seed) = crc_input(args)?;
    args.env.uint32(crc32c::crc32c(seed, bytes))
}

fn crc32c_portable_js(args: &Args) -> JsResult<napi_value> {
    let (bytes, seed) = crc_input(args)?;
    args.env.uint32(crc32c::crc32c_portable(seed, bytes))
}

// ---- compression ----

fn codec_error(err: CodecError) -> JsError {
    let code = match err.kind {
        ErrorKind::Corrupt => "RILL_COMPRESSION_CORRUPT",
        ErrorKind::Truncated => "RILL_COMPRESSION_TRUNCATED",
        ErrorKind::TooLarge => "RILL_COMPRESSION_TOO_LARGE",
    };
    JsError::new(ErrorClass::Error, code, err.message)
}

fn codec_arg(args: &Args) -> JsResult<Codec> {
    let id = args.opt_uint32(0, "codec")?.ok_or_else(|| JsError::type_error("codec", "a number"))?;
    Codec::from_id(id).ok_or_else(|| JsError::range_error("codec", format!("{id} is not 2 (snappy), 3 (lz4) or 4 (zstd)")))
}

fn level_arg(args: &Args) -> JsResult<Option<i32>> {
    let Some(level) = args.opt_double(2, "level")? else { return Ok(None) };
    if !(level.fract() == 0.0 && (ZSTD_LEVEL_MIN..=ZSTD_LEVEL_MAX).contains(&level)) {
        return Err(JsError::range_error("level", format!("{level} is not an integer in [-131072, 22]")));
    }
    Ok(Some(level as i32))
}

fn output_cap_arg(args: &Args) -> JsResult<usize> {
    Ok(args.opt_index(2, "maxOutputBytes")?.unwrap_or(DECOMPRESSED_BYTES_MAX_DEFAULT))
}

thread_local! {
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// A codec output as a JS Buffer: adopted when large, else copied (and `output` kept).
fn hand_off(env: Env, output: &mut Vec<u8>) -> JsResult<napi_value> {
    if output.len() >= ADOPT_OUTPUT_MIN_BYTES {
        env.adopt_buffer(std::mem::take(output))
    } else {
        env.buffer_copy(output)
    }
}

/// Runs `fill` on this thread's scratch buffer and hands what it wrote to JS.
fn with_scratch_output(env: Env, fill: impl FnOnce(&mut Vec<u8>) -> JsResult<()>) -> JsResult<napi_value> {
    SCRATCH.with(|cell| {
        let mut scratch = cell.borrow_mut();
        scratch.clear();
        let result = fill(&mut scratch).and_then(|()| hand_off(env, &mut scratch));
        if scratch.capacity() > SCRATCH_RETAINED_BYTES_MAX {
            *scratch = Vec::new();
        }
        result
    })
}

fn compress_js(args: &Args) -> JsResult<napi_value> {
    let codec = codec_arg(args)?;
    let input = args.buffer(1, "buf")?;
    let level = level_arg(args)?;
    with_scratch_output(args.env, |output| {
        codec::compress(codec, unsafe { input.as_slice() }, level, output);
        Ok(())
    })
}

fn decompress_js(args: &Args) -> JsResult<napi_value> {
    let codec = codec_arg(args)?;
    let input = args.buffer(1, "buf")?;
    let cap = output_cap_arg(args)?;
    with_scratch_output(args.env, |output| {
        codec::decompress(codec, unsafe { input.as_slice() }, cap, output).map_err(codec_error)
    })
}

struct CompressTask {
    codec: Codec,
    input: RawBuf,
    level: Option<i32>,
}

impl Task for CompressTask {
    type Output = Vec<u8>;
    fn compute(&mut self) -> Result<Vec<u8>, JsError> {
        let mut output = Vec::new();
        codec::compress(self.codec, unsafe { self.input.as_slice() }, self.level, &mut output);
        Ok(output)
    }
    fn into_js(&self, env: Env, mut output: Vec<u8>) -> JsResult<napi_value> {
        hand_off(env, &mut output)
    }
}

struct DecompressTask {
    codec: Codec,
    input: RawBuf,
    cap: usize,
}

impl Task for DecompressTask {
    type Output = Vec<u8>;
    fn compute(&mut self) -> Result<Vec<u8>, JsError> {
        let mut output = Vec::new();
        codec::decompress(self.codec, unsafe { self.input.as_slice() }, self.cap, &mut output).map_err(codec_error)?;
        Ok(output)
    }
    fn into_js(&self, env: Env, mut output: Vec<u8>) -> JsResult<napi_value> {
        hand_off(env, &mut output)
    }
}

fn compress_async_js(args: &Args) -> JsResult<napi_value> {
    let task = CompressTask { codec: codec_arg(args)?, input: args.buffer(1, "buf")?, level: level_arg(args)? };
    spawn(args.env, task, &[args.value(1)])
}

fn decompress_async_js(args: &Args) -> JsResult<napi_value> {
    let task = DecompressTask { codec: codec_arg(args)?, input: args.buffer(1, "buf")?, cap: output_cap_arg(args)? };
    spawn(args.env, task, &[args.value(1)])
}

// ---- file I/O ----

fn sys_error(err: SysError) -> JsError {
    let (code, description) = io::errno_name(err.errno);
    let mut message = format!("{code}: {description}, {}", err.syscall);
    if let Some(path) = &err.path {
        message.push_str(&format!(" '{path}'"));
    }
    JsError::Value(ErrorValue {
        class: ErrorClass::Error,
        code,
        message,
        errno: Some(err.errno),
        syscall: Some(err.syscall),
        path: err.path,
    })
}

fn int_arg(args: &Args, index: usize, name: &str) -> JsResult<i32> {
    let value = args.double(index, name)?;
    if !(value.fract() == 0.0 && value >= i32::MIN as f64 && value <= i32::MAX as f64) {
        return Err(JsError::range_error(name, format!("{value} is not a 32-bit integer")));
    }
    Ok(value as i32)
}

fn open_js(args: &Args) -> JsResult<napi_value> {
    let path = args.string(0, "path")?;
    let flags = int_arg(args, 1, "flags")?;
    let mode = args.opt_uint32(2, "mode")?.unwrap_or(0o666);
    let fd = io::open_file(&path, flags, mode).map_err(sys_error)?;
    args.env.int32(fd)
}

fn close_js(args: &Args) -> JsResult<napi_value> {
    io::close_file(args.fd(0)?).map_err(sys_error)?;
    args.env.undefined()
}

/// buf[offset, offset + length) for pread, checked against the Buffer.
fn read_target(args: &Args) -> JsResult<RawBuf> {
    let buffer = args.buffer(1, "buf")?;
    let offset = args.index(2, "offset")?;
    let length = args.index(3, "length")?;
    if offset.checked_add(length).is_none_or(|end| end > buffer.len) {
        return Err(JsError::range_error(
            "offset/length",
            format!("{offset} + {length} is beyond a buffer of {} bytes", buffer.len),
        ));
    }
    Ok(RawBuf { ptr: unsafe { buffer.ptr.add(offset) }, len: length })
}

fn pwrite_js(args: &Args) -> JsResult<napi_value> {
    let fd = args.fd(0)?;
    let data = args.buffer(1, "buf")?;
    let position = args.index(2, "position")?;
    let written = io::pwrite_all(fd, unsafe { data.as_slice() }, position).map_err(sys_error)?;
    args.env.size(written)
}

fn buffer_slices(list: &[(napi_value, RawBuf)]) -> Vec<&'static [u8]> {
    list.iter().map(|(_, buffer)| unsafe { buffer.as_slice() }).collect()
}

fn pwritev_js(args: &Args) -> JsResult<napi_value> {
    let fd = args.fd(0)?;
    let list = args.buffer_list(1, "bufs", PWRITEV_BUFFERS_MAX)?;
    let position = args.index(2, "position")?;
    let written = io::pwritev_all(fd, &buffer_slices(&list), position).map_err(sys_error)?;
    args.env.size(written)
}

fn pread_js(args: &Args) -> JsResult<napi_value> {
    let fd = args.fd(0)?;
    let target = read_target(args)?;
    let position = args.index(4, "position")?;
    let read = io::pread_into(fd, unsafe { target.as_mut_slice() }, position).map_err(sys_error)?;
    args.env.size(read)
}

fn fdatasync_js(args: &Args) -> JsResult<napi_value> {
    io::fdatasync_file(args.fd(0)?).map_err(sys_error)?;
    args.env.undefined()
}

fn fallocate_js(args: &Args) -> JsResult<napi_value> {
    let fd = args.fd(0)?;
    let offset = args.index(1, "offset")?;
    let length = args.index(2, "length")?;
    io::fallocate_file(fd, offset, length).map_err(sys_error)?;
    args.env.undefined()
}

fn file_size_js(args: &Args) -> JsResult<napi_value> {
    let size = io::file_size(args.fd(0)?).map_err(sys_error)?;
    args.env.size(size)
}

fn ftruncate_js(args: &Args) -> JsResult<napi_value> {
    let fd = args.fd(0)?;
    let length = args.index(1, "length")?;
    io::ftruncate_file(fd, length).map_err(sys_error)?;
    args.env.undefined()
}

/// A system call run on the thread pool; resolves with its byte count, or undefined.
struct SysCallTask<F> {
    call: Option<F>,
    resolves_count: bool,
}

impl<F: FnOnce() -> io::SysResult<usize> + Send + 'static> Task for SysCallTask<F> {
    type Output = usize;
    fn compute(&mut self) -> Result<usize, JsError> {
        let call = self.call.take().expect("system-call task ran twice");
        call().map_err(sys_error)
    }
    fn into_js(&self, env: Env, count: usize) -> JsResult<napi_value> {
        if self.resolves_count {
            env.size(count)
        } else {
            env.undefined()
        }
    }
}

fn spawn_sys_call<F>(args: &Args, keep_alive: &[napi_value], resolves_count: bool, call: F) -> JsResult<napi_value>
where
    F: FnOnce() -> io::SysResult<usize> + Send + 'static,
{
    spawn(args.env, SysCallTask { call: Some(call), resolves_count }, keep_alive)
}

fn pwrite_async_js(args: &Args) -> JsResult<napi_value> {
    let fd = args.fd(0)?;
    let data = args.buffer(1, "buf")?;
    let position = args.index(2, "position")?;
    spawn_sys_call(args, &[args.value(1)], true, move || io::pwrite_all(fd, unsafe { data.as_slice() }, position))
}

fn pwritev_async_js(args: &Args) -> JsResult<napi_value> {
    let fd = args.fd(0)?;
    let list = args.buffer_list(1, "bufs", PWRITEV_BUFFERS_MAX)?;
    let position = args.index(2, "position")?;
    let keep_alive: Vec<napi_value> = list.iter().map(|(value, _)| *value).collect();
    let buffers: Vec<RawBuf> = list.iter().map(|(_, buffer)| *buffer).collect();
    spawn_sys_call(args, &keep_alive, true, move || {
        let slices: Vec<&[u8]> = buffers.iter().map(|buffer| unsafe { buffer.as_slice() }).collect();
        io::pwritev_all(fd, &slices, position)
    })
}

fn pread_async_js(args: &Args) -> JsResult<napi_value> {
    let fd = args.fd(0)?;
    let target = read_target(args)?;
    let position = args.index(4, "position")?;
    spawn_sys_call(args, &[args.value(1)], true, move || io::pread_into(fd, unsafe { target.as_mut_slice() }, position))
}

fn fdatasync_async_js(args: &Args) -> JsResult<napi_value> {
    let fd = args.fd(0)?;
    spawn_sys_call(args, &[], false, move || io::fdatasync_file(fd).map(|()| 0))
}
