//! zstd frames through libzstd's C API. One-shot decompression into an exact allocation when
//! the input is a single frame that records its content size; streaming with a capped,
//! growing output otherwise (frames without content size, several frames, skippable frames).

use std::cell::RefCell;
use std::ffi::{c_char, c_int, c_uint, c_void, CStr};

use super::{reserve_output, CappedOutput, CodecError, CodecResult};

/// Kafka's (and zstd's) default level.
pub const LEVEL_DEFAULT: i32 = 3;

/// Window bound for streaming decompression, as a power of two: the decoder allocates up to the
/// window a frame declares. We allow max(cap, 2^WINDOW_LOG_FLOOR) up to zstd's own default
/// limit (2^27): what Kafka clients write (level 3 streams use 2^21) always fits.
const WINDOW_LOG_FLOOR: u32 = 22;
const WINDOW_LOG_CEILING: u32 = 27;

const CONTENT_SIZE_UNKNOWN: u64 = u64::MAX;
const CONTENT_SIZE_ERROR: u64 = u64::MAX - 1;
const PARAMETER_WINDOW_LOG_MAX: c_int = 100;
const RESET_SESSION_ONLY: c_int = 1;
const ERROR_WINDOW_TOO_LARGE: c_int = 16;
const ERROR_SOURCE_SIZE_WRONG: c_int = 72;

#[repr(C)]
struct ZstdCCtx {
    _private: [u8; 0],
}
#[repr(C)]
struct ZstdDCtx {
    _private: [u8; 0],
}
#[repr(C)]
struct InBuffer {
    src: *const c_void,
    size: usize,
    pos: usize,
}
#[repr(C)]
struct OutBuffer {
    dst: *mut c_void,
    size: usize,
    pos: usize,
}

extern "C" {
    fn ZSTD_compressBound(src_size: usize) -> usize;
    fn ZSTD_isError(code: usize) -> c_uint;
    fn ZSTD_getErrorName(code: usize) -> *const c_char;
    fn ZSTD_getErrorCode(code: usize) -> c_int;
    fn ZSTD_createCCtx() -> *mut ZstdCCtx;
    fn ZSTD_freeCCtx(cctx: *mut ZstdCCtx) -> usize;
    fn ZSTD_compressCCtx(
        cctx: *mut ZstdCCtx,
        dst: *mut c_void,
        dst_capacity: usize,
        src: *const c_void,
        src_size: usize,
        level: c_int,
    ) -> usize;
    fn ZSTD_createDCtx() -> *mut ZstdDCtx;
    fn ZSTD_freeDCtx(dctx: *mut ZstdDCtx) -> usize;
    fn ZSTD_DCtx_reset(dctx: *mut ZstdDCtx, reset: c_int) -> usize;
    fn ZSTD_DCtx_setParameter(dctx: *mut ZstdDCtx, param: c_int, value: c_int) -> usize;
    fn ZSTD_decompressStream(dctx: *mut ZstdDCtx, output: *mut OutBuffer, input: *mut InBuffer) -> usize;
    fn ZSTD_decompressDCtx(
        dctx: *mut ZstdDCtx,
        dst: *mut c_void,
        dst_capacity: usize,
        src: *const c_void,
        src_size: usize,
    ) -> usize;
    fn ZSTD_getFrameContentSize(src: *const c_void, src_size: usize) -> u64;
    fn ZSTD_findFrameCompressedSize(src: *const c_void, src_size: usize) -> usize;
}

/// Per-thread contexts (the JS thread and each pool thread get their own).
struct Contexts {
    compress: *mut ZstdCCtx,
    decompress: *mut ZstdDCtx,
}

impl Drop for Contexts {
    fn drop(&mut self) {
        unsafe {
            if !self.compress.is_null() {
                ZSTD_freeCCtx(self.compress);
            }
            if !self.decompress.is_null() {
                ZSTD_freeDCtx(self.decompress);
            }
        }
    }
}

thread_local! {
    static CONTEXTS: RefCell<Contexts> =
        const { RefCell::new(Contexts { compress: std::ptr::null_mut(), decompress: std::ptr::null_mut() }) };
}

fn is_error(code: usize) -> bool {
    unsafe { ZSTD_isError(code) != 0 }
}

fn error_name(code: usize) -> String {
    unsafe { CStr::from_ptr(ZSTD_getErrorName(code)) }.to_string_lossy().into_owned()
}

fn decode_error(code: usize, output_bytes_max: usize) -> CodecError {
    match unsafe { ZSTD_getErrorCode(code) } {
        ERROR_WINDOW_TOO_LARGE => CodecError {
            kind: super::ErrorKind::TooLarge,
            message: format!(
                "the frame's window needs more memory than a {output_bytes_max}-byte output limit allows (max(limit, {} bytes))",
                1usize << WINDOW_LOG_FLOOR
            ),
        },
        ERROR_SOURCE_SIZE_WRONG => CodecError::truncated(error_name(code)),
        _ => CodecError::corrupt(error_name(code)),
    }
}

pub fn compress(input: &[u8], level: i32, output: &mut Vec<u8>) {
    CONTEXTS.with(|cell| {
        let mut contexts = cell.borrow_mut();
        if contexts.compress.is_null() {
            contexts.compress = unsafe { ZSTD_createCCtx() };
            assert!(!contexts.compress.is_null(), "ZSTD_createCCtx failed (out of memory)");
        }
        let bound = unsafe { ZSTD_compressBound(input.len()) };
        assert!(!is_error(bound), "zstd: input of {} bytes is too large to compress", input.len());
        reserve_output(output, bound);
        let written = unsafe {
            ZSTD_compressCCtx(contexts.compress, output.as_mut_ptr().cast(), bound, input.as_ptr().cast(), input.len(), level)
        };
        assert!(!is_error(written), "ZSTD_compressCCtx failed: {}", error_name(written));
        unsafe { output.set_len(written) };
    })
}

pub fn decompress(input: &[u8], output_bytes_max: usize, output: &mut Vec<u8>) -> CodecResult<()> {
    CONTEXTS.with(|cell| {
        let mut contexts = cell.borrow_mut();
        if contexts.decompress.is_null() {
            contexts.decompress = unsafe { ZSTD_createDCtx() };
            assert!(!contexts.decompress.is_null(), "ZSTD_createDCtx failed (out of memory)");
        }
        let dctx = contexts.decompress;
        unsafe { ZSTD_DCtx_reset(dctx, RESET_SESSION_ONLY) };
        match single_frame_content_size(input) {
            Some(size) if size > output_bytes_max as u64 => Err(CodecError::too_large(output_bytes_max)),
            Some(size) => decompress_exact(dctx, input, size as usize, output_bytes_max, output),
            None => decompress_streaming(dctx, input, output_bytes_max, output),
        }
    })
}

/// The content size if `input` is exactly one frame that records it.
fn single_frame_content_size(input: &[u8]) -> Option<u64> {
    let size = unsafe { ZSTD_getFrameContentSize(input.as_ptr().cast(), input.len()) };
    if size == CONTENT_SIZE_UNKNOWN || size == CONTENT_SIZE_ERROR {
        return None;
    }
    let frame_bytes = unsafe { ZSTD_findFrameCompressedSize(input.as_ptr().cast(), input.len()) };
    (frame_bytes == input.len()).then_some(size)
}

fn decompress_exact(
    dctx: *mut ZstdDCtx,
    input: &[u8],
    size: usize,
    output_bytes_max: usize,
    output: &mut Vec<u8>,
) -> CodecResult<()> {
    reserve_output(output, size);
    let written = unsafe {
        ZSTD_decompressDCtx(dctx, output.as_mut_ptr().cast(), size, input.as_ptr().cast(), input.len())
    };
    if is_error(written) {
        unsafe { ZSTD_DCtx_reset(dctx, RESET_SESSION_ONLY) };
        return Err(decode_error(written, output_bytes_max));
    }
    if written != size {
        return Err(CodecError::corrupt(format!("frame declares {size} bytes but holds {written}")));
    }
    unsafe { output.set_len(written) };
    Ok(())
}

fn window_log_max(output_bytes_max: usize) -> c_int {
    let needed = usize::BITS - output_bytes_max.max(1).saturating_sub(1).leading_zeros();
    needed.clamp(WINDOW_LOG_FLOOR, WINDOW_LOG_CEILING) as c_int
}

fn decompress_streaming(
    dctx: *mut ZstdDCtx,
    input: &[u8],
    output_bytes_max: usize,
    output: &mut Vec<u8>,
) -> CodecResult<()> {
    unsafe { ZSTD_DCtx_setParameter(dctx, PARAMETER_WINDOW_LOG_MAX, window_log_max(output_bytes_max)) };
    let result = stream_frames(dctx, input, output_bytes_max, output);
    if result.is_err() {
        unsafe { ZSTD_DCtx_reset(dctx, RESET_SESSION_ONLY) };
    }
    result
}

fn stream_frames(dctx: *mut ZstdDCtx, input: &[u8], output_bytes_max: usize, output: &mut Vec<u8>) -> CodecResult<()> {
    let mut output = CappedOutput::for_input(output, input.len(), output_bytes_max);
    let mut source = InBuffer { src: input.as_ptr().cast(), size: input.len(), pos: 0 };
    loop {
        let free = output.make_room();
        let mut sink = OutBuffer { dst: output.free_ptr().cast(), size: free, pos: 0 };
        let consumed_before = source.pos;
        let hint = unsafe { ZSTD_decompressStream(dctx, &mut sink, &mut source) };
        if is_error(hint) {
            return Err(decode_error(hint, output_bytes_max));
        }
        unsafe { output.commit(sink.pos) };
        if hint == 0 && source.pos == source.size {
            return Ok(());
        }
        if source.pos == consumed_before && sink.pos == 0 {
            return Err(stalled(free, output_bytes_max));
        }
    }
}

/// No progress: either the output is at the cap, or the input ended inside a frame.
fn stalled(free_bytes: usize, output_bytes_max: usize) -> CodecError {
    if free_bytes == 0 {
        CodecError::too_large(output_bytes_max)
    } else {
        CodecError::truncated("input ends inside a frame")
    }
}
