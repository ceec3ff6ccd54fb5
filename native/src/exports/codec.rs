//! compress / decompress (sync and on the thread pool) for snappy, lz4, zstd by Kafka id.

use std::cell::RefCell;

use crate::codec::{self, Codec, CodecError, ErrorKind};
use crate::napi::sys::napi_value;
use crate::napi::task::{spawn, Task};
use crate::napi::{Args, Env, ErrorClass, JsError, JsResult, RawBuf};

/// Decompression cap when the caller passes none (matches limits.decompressedBytesMax).
const DECOMPRESSED_BYTES_MAX_DEFAULT: usize = 256 * 1024 * 1024;
/// Codec outputs at least this large are adopted by JS without a copy; smaller ones are copied
/// out of a per-thread scratch buffer that stays allocated (fresh memory costs a page fault per
/// 4 KiB, which on virtual machines is slower than the copy).
const ADOPT_OUTPUT_MIN_BYTES: usize = 4 * 1024 * 1024;
/// Outputs of thread-pool work at least this large are adopted: a copy would run on the JS
/// thread, which the async forms exist to spare.
const ASYNC_ADOPT_OUTPUT_MIN_BYTES: usize = 64 * 1024;
/// Outputs below this size are staged for Buffer.allocUnsafe (which pools below 4 KiB).
const STAGED_OUTPUT_BYTES_MAX: usize = 4096;
/// Largest scratch capacity a thread keeps between calls.
const SCRATCH_RETAINED_BYTES_MAX: usize = 8 * 1024 * 1024;
const ZSTD_LEVEL_MIN: f64 = -131_072.0;
const ZSTD_LEVEL_MAX: f64 = 22.0;

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
fn hand_off(env: Env, output: &mut Vec<u8>, adopt_min_bytes: usize) -> JsResult<napi_value> {
    if output.len() >= adopt_min_bytes {
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
        let result = fill(&mut scratch).and_then(|()| hand_off(env, &mut scratch, ADOPT_OUTPUT_MIN_BYTES));
        release_scratch(&mut scratch);
        result
    })
}

/// Runs `fill` on the scratch buffer. A small output stays there for `takeStaged` and its
/// length is returned; a larger one comes back as a Buffer. Creating a Buffer from native code
/// costs about a microsecond (node::Buffer::Copy), while JS's Buffer.allocUnsafe takes small
/// ones from its pool: for small outputs two calls beat one.
fn stage_output(env: Env, fill: impl FnOnce(&mut Vec<u8>) -> JsResult<()>) -> JsResult<napi_value> {
    SCRATCH.with(|cell| {
        let mut scratch = cell.borrow_mut();
        scratch.clear();
        if let Err(err) = fill(&mut scratch) {
            release_scratch(&mut scratch);
            return Err(err);
        }
        if scratch.len() < STAGED_OUTPUT_BYTES_MAX {
            return env.size(scratch.len());
        }
        let result = hand_off(env, &mut scratch, ADOPT_OUTPUT_MIN_BYTES);
        release_scratch(&mut scratch);
        result
    })
}

fn release_scratch(scratch: &mut Vec<u8>) {
    scratch.clear();
    if scratch.capacity() > SCRATCH_RETAINED_BYTES_MAX {
        *scratch = Vec::new();
    }
}

/// takeStaged(target): copies the staged output into target (exactly its length) and clears it.
pub fn take_staged_js(args: &Args) -> JsResult<napi_value> {
    let target = args.buffer(0, "target")?;
    SCRATCH.with(|cell| {
        let mut scratch = cell.borrow_mut();
        if target.len != scratch.len() {
            let message = format!("target has {} bytes, {} are staged", target.len, scratch.len());
            return Err(JsError::range_error("target", message));
        }
        unsafe { target.as_mut_slice() }.copy_from_slice(&scratch);
        release_scratch(&mut scratch);
        args.env.undefined()
    })
}

pub fn compress_staged_js(args: &Args) -> JsResult<napi_value> {
    let codec = codec_arg(args)?;
    let input = args.buffer(1, "buf")?;
    let level = level_arg(args)?;
    stage_output(args.env, |output| {
        codec::compress(codec, unsafe { input.as_slice() }, level, output);
        Ok(())
    })
}

pub fn decompress_staged_js(args: &Args) -> JsResult<napi_value> {
    let codec = codec_arg(args)?;
    let input = args.buffer(1, "buf")?;
    let cap = output_cap_arg(args)?;
    stage_output(args.env, |output| {
        codec::decompress(codec, unsafe { input.as_slice() }, cap, output).map_err(codec_error)
    })
}

pub fn compress_js(args: &Args) -> JsResult<napi_value> {
    let codec = codec_arg(args)?;
    let input = args.buffer(1, "buf")?;
    let level = level_arg(args)?;
    with_scratch_output(args.env, |output| {
        codec::compress(codec, unsafe { input.as_slice() }, level, output);
        Ok(())
    })
}

pub fn decompress_js(args: &Args) -> JsResult<napi_value> {
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
    fn to_js(&self, env: Env, mut output: Vec<u8>) -> JsResult<napi_value> {
        hand_off(env, &mut output, ASYNC_ADOPT_OUTPUT_MIN_BYTES)
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
    fn to_js(&self, env: Env, mut output: Vec<u8>) -> JsResult<napi_value> {
        hand_off(env, &mut output, ASYNC_ADOPT_OUTPUT_MIN_BYTES)
    }
}

pub fn compress_async_js(args: &Args) -> JsResult<napi_value> {
    let task = CompressTask { codec: codec_arg(args)?, input: args.buffer(1, "buf")?, level: level_arg(args)? };
    spawn(args.env, task, &[args.value(1)])
}

pub fn decompress_async_js(args: &Args) -> JsResult<napi_value> {
    let task = DecompressTask { codec: codec_arg(args)?, input: args.buffer(1, "buf")?, cap: output_cap_arg(args)? };
    spawn(args.env, task, &[args.value(1)])
}
