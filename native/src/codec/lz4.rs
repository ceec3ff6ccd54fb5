//! LZ4 frames (the format Kafka's v1+ message formats use) through liblz4's lz4frame API.
//!
//! Writing: independent 64 KiB blocks, no checksums, no content size: what Kafka's Java client
//! writes and what every Kafka client reads.
//!
//! Reading: any frame liblz4 reads, plus frames from Kafka clients before 0.10 (KAFKA-3160)
//! whose header checksum byte was computed over the magic number as well as the descriptor. The
//! header checksum is verified here, accepting either computation; a frame with the old one is
//! handed to liblz4 with a corrected copy of its header (the caller's bytes are not modified).

use std::cell::RefCell;
use std::ffi::{c_char, c_int, c_uint, c_void, CStr};
use std::ptr::{null, null_mut};

use super::{reserve_output, CappedOutput, CodecError, CodecResult};

/// lz4 "fast" (level 1 behaviour); levels >= 3 select LZ4 HC.
pub const LEVEL_DEFAULT: i32 = 0;

const FRAME_MAGIC: u32 = 0x184D_2204;
const SKIPPABLE_MAGIC: u32 = 0x184D_2A50;
const SKIPPABLE_MAGIC_MASK: u32 = 0xFFFF_FFF0;
const FLG_CONTENT_SIZE: u8 = 0x08;
const FLG_DICTIONARY_ID: u8 = 0x01;
/// Magic (4) + FLG + BD + content size (8) + dictionary id (4) + header checksum.
const HEADER_BYTES_MAX: usize = 19;
const LZ4F_VERSION: c_uint = 100;
const BLOCK_SIZE_64KB: c_int = 4;
const BLOCK_INDEPENDENT: c_int = 1;

#[repr(C)]
struct Lz4fDctx {
    _private: [u8; 0],
}
#[repr(C)]
struct Lz4fCctx {
    _private: [u8; 0],
}
#[repr(C)]
struct Lz4fCdict {
    _private: [u8; 0],
}

#[repr(C)]
struct FrameInfo {
    block_size_id: c_int,
    block_mode: c_int,
    content_checksum: c_int,
    frame_type: c_int,
    content_size: u64,
    dictionary_id: c_uint,
    block_checksum: c_int,
}

#[repr(C)]
struct Preferences {
    frame_info: FrameInfo,
    compression_level: c_int,
    auto_flush: c_uint,
    favor_decompression_speed: c_uint,
    reserved: [c_uint; 3],
}

extern "C" {
    fn LZ4F_isError(code: usize) -> c_uint;
    fn LZ4F_getErrorName(code: usize) -> *const c_char;
    fn LZ4F_compressFrameBound(src_size: usize, preferences: *const Preferences) -> usize;
    fn LZ4F_createCompressionContext(cctx: *mut *mut Lz4fCctx, version: c_uint) -> usize;
    fn LZ4F_freeCompressionContext(cctx: *mut Lz4fCctx) -> usize;
    fn LZ4F_compressFrame_usingCDict(
        cctx: *mut Lz4fCctx,
        dst: *mut c_void,
        dst_capacity: usize,
        src: *const c_void,
        src_size: usize,
        cdict: *const Lz4fCdict,
        preferences: *const Preferences,
    ) -> usize;
    fn LZ4F_createDecompressionContext(dctx: *mut *mut Lz4fDctx, version: c_uint) -> usize;
    fn LZ4F_freeDecompressionContext(dctx: *mut Lz4fDctx) -> usize;
    fn LZ4F_resetDecompressionContext(dctx: *mut Lz4fDctx);
    fn LZ4F_decompress(
        dctx: *mut Lz4fDctx,
        dst: *mut c_void,
        dst_size: *mut usize,
        src: *const c_void,
        src_size: *mut usize,
        options: *const c_void,
    ) -> usize;
}

fn is_error(code: usize) -> bool {
    unsafe { LZ4F_isError(code) != 0 }
}

fn error_name(code: usize) -> String {
    unsafe { CStr::from_ptr(LZ4F_getErrorName(code)) }.to_string_lossy().into_owned()
}

fn kafka_preferences(level: i32) -> Preferences {
    Preferences {
        frame_info: FrameInfo {
            block_size_id: BLOCK_SIZE_64KB,
            block_mode: BLOCK_INDEPENDENT,
            content_checksum: 0,
            frame_type: 0,
            content_size: 0,
            dictionary_id: 0,
            block_checksum: 0,
        },
        compression_level: level,
        auto_flush: 0,
        favor_decompression_speed: 0,
        reserved: [0; 3],
    }
}

/// A per-thread compression context: reusing it spares LZ4F_compressFrame's initialization of a
/// fresh 16 KiB hash table on every call.
struct Compressor(*mut Lz4fCctx);

impl Drop for Compressor {
    fn drop(&mut self) {
        if !self.0.is_null() {
            unsafe { LZ4F_freeCompressionContext(self.0) };
        }
    }
}

thread_local! {
    static COMPRESSOR: RefCell<Compressor> = const { RefCell::new(Compressor(null_mut())) };
}

pub fn compress(input: &[u8], level: i32, output: &mut Vec<u8>) {
    let preferences = kafka_preferences(level);
    let bound = unsafe { LZ4F_compressFrameBound(input.len(), &preferences) };
    assert!(!is_error(bound), "LZ4F_compressFrameBound failed: {}", error_name(bound));
    reserve_output(output, bound);
    let written = COMPRESSOR.with(|cell| {
        let mut compressor = cell.borrow_mut();
        if compressor.0.is_null() {
            let status = unsafe { LZ4F_createCompressionContext(&mut compressor.0, LZ4F_VERSION) };
            assert!(!is_error(status) && !compressor.0.is_null(), "LZ4F_createCompressionContext failed");
        }
        unsafe {
            LZ4F_compressFrame_usingCDict(
                compressor.0,
                output.as_mut_ptr().cast(),
                bound,
                input.as_ptr().cast(),
                input.len(),
                null(),
                &preferences,
            )
        }
    });
    assert!(!is_error(written), "LZ4F_compressFrame failed: {}", error_name(written));
    unsafe { output.set_len(written) };
}

/// xxHash32 (the header checksum of LZ4 frames), written from the published algorithm.
pub fn xxh32(input: &[u8], seed: u32) -> u32 {
    const P1: u32 = 2_654_435_761;
    const P2: u32 = 2_246_822_519;
    const P3: u32 = 3_266_489_917;
    const P4: u32 = 668_265_263;
    const P5: u32 = 374_761_393;
    let round = |acc: u32, lane: u32| acc.wrapping_add(lane.wrapping_mul(P2)).rotate_left(13).wrapping_mul(P1);
    let word = |bytes: &[u8]| u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    let mut stripes = input.chunks_exact(16);
    let mut hash = if input.len() >= 16 {
        let mut lanes = [seed.wrapping_add(P1).wrapping_add(P2), seed.wrapping_add(P2), seed, seed.wrapping_sub(P1)];
        for stripe in &mut stripes {
            for (i, lane) in lanes.iter_mut().enumerate() {
                *lane = round(*lane, word(&stripe[4 * i..]));
            }
        }
        lanes[0].rotate_left(1).wrapping_add(lanes[1].rotate_left(7)).wrapping_add(lanes[2].rotate_left(12)).wrapping_add(lanes[3].rotate_left(18))
    } else {
        seed.wrapping_add(P5)
    };
    hash = hash.wrapping_add(input.len() as u32);
    let mut words = stripes.remainder().chunks_exact(4);
    for bytes in &mut words {
        hash = hash.wrapping_add(word(bytes).wrapping_mul(P3)).rotate_left(17).wrapping_mul(P4);
    }
    for &byte in words.remainder() {
        hash = hash.wrapping_add((byte as u32).wrapping_mul(P5)).rotate_left(11).wrapping_mul(P1);
    }
    hash ^= hash >> 15;
    hash = hash.wrapping_mul(P2);
    hash ^= hash >> 13;
    hash = hash.wrapping_mul(P3);
    hash ^ (hash >> 16)
}

/// What the first frame's header says, and a corrected copy if it has the KAFKA-3160 checksum.
struct FirstHeader {
    header_bytes: usize,
    content_size: Option<u64>,
    corrected: Option<[u8; HEADER_BYTES_MAX]>,
}

fn inspect_first_header(input: &[u8]) -> CodecResult<Option<FirstHeader>> {
    if input.len() < 4 {
        return Err(CodecError::truncated("input ends inside the frame magic"));
    }
    let magic = u32::from_le_bytes([input[0], input[1], input[2], input[3]]);
    if magic & SKIPPABLE_MAGIC_MASK == SKIPPABLE_MAGIC {
        return Ok(None);
    }
    if magic != FRAME_MAGIC {
        return Err(CodecError::corrupt(format!("bad frame magic 0x{magic:08x}")));
    }
    if input.len() < 7 {
        return Err(CodecError::truncated("input ends inside the frame header"));
    }
    let flags = input[4];
    let content_size_bytes = if flags & FLG_CONTENT_SIZE != 0 { 8 } else { 0 };
    let dictionary_bytes = if flags & FLG_DICTIONARY_ID != 0 { 4 } else { 0 };
    let header_bytes = 7 + content_size_bytes + dictionary_bytes;
    if input.len() < header_bytes {
        return Err(CodecError::truncated("input ends inside the frame header"));
    }
    let content_size = (content_size_bytes != 0).then(|| u64::from_le_bytes(input[6..14].try_into().unwrap()));
    let stored = input[header_bytes - 1];
    let descriptor_checksum = (xxh32(&input[4..header_bytes - 1], 0) >> 8) as u8;
    if stored == descriptor_checksum {
        return Ok(Some(FirstHeader { header_bytes, content_size, corrected: None }));
    }
    let kafka_3160_checksum = (xxh32(&input[0..header_bytes - 1], 0) >> 8) as u8;
    if stored != kafka_3160_checksum {
        return Err(CodecError::corrupt("frame header checksum mismatch"));
    }
    let mut corrected = [0u8; HEADER_BYTES_MAX];
    corrected[..header_bytes].copy_from_slice(&input[..header_bytes]);
    corrected[header_bytes - 1] = descriptor_checksum;
    Ok(Some(FirstHeader { header_bytes, content_size, corrected: Some(corrected) }))
}

struct Decompressor(*mut Lz4fDctx);

impl Drop for Decompressor {
    fn drop(&mut self) {
        if !self.0.is_null() {
            unsafe { LZ4F_freeDecompressionContext(self.0) };
        }
    }
}

thread_local! {
    static DECOMPRESSOR: RefCell<Decompressor> = const { RefCell::new(Decompressor(null_mut())) };
}

pub fn decompress(input: &[u8], output_bytes_max: usize, output: &mut Vec<u8>) -> CodecResult<()> {
    let first = inspect_first_header(input)?;
    let content_size = first.as_ref().and_then(|header| header.content_size);
    let mut output = match content_size {
        Some(size) if size > output_bytes_max as u64 => return Err(CodecError::too_large(output_bytes_max)),
        Some(size) => CappedOutput::with_capacity(output, size as usize, output_bytes_max),
        None => CappedOutput::for_input(output, input.len(), output_bytes_max),
    };
    let corrected_header;
    let segments: [&[u8]; 2] = match first {
        Some(FirstHeader { header_bytes, corrected: Some(header), .. }) => {
            corrected_header = header;
            [&corrected_header[..header_bytes], &input[header_bytes..]]
        }
        _ => [input, &[]],
    };
    DECOMPRESSOR.with(|cell| {
        let mut decompressor = cell.borrow_mut();
        if decompressor.0.is_null() {
            let status = unsafe { LZ4F_createDecompressionContext(&mut decompressor.0, LZ4F_VERSION) };
            assert!(!is_error(status) && !decompressor.0.is_null(), "LZ4F_createDecompressionContext failed");
        }
        unsafe { LZ4F_resetDecompressionContext(decompressor.0) };
        decode_segments(decompressor.0, &segments, &mut output, output_bytes_max)
    })
}

/// Feeds the segments (one input, split where the header was corrected) to the decoder.
fn decode_segments(
    dctx: *mut Lz4fDctx,
    segments: &[&[u8]],
    output: &mut CappedOutput,
    output_bytes_max: usize,
) -> CodecResult<()> {
    let mut segment = 0;
    let mut position = 0;
    let mut hint: usize = 1;
    loop {
        if segment < segments.len() && position == segments[segment].len() {
            segment += 1;
            position = 0;
            continue;
        }
        let source: &[u8] = if segment < segments.len() { &segments[segment][position..] } else { &[] };
        if source.is_empty() && hint == 0 {
            return Ok(());
        }
        let free = output.make_room();
        let mut written = free;
        let mut consumed = source.len();
        hint = unsafe {
            LZ4F_decompress(dctx, output.free_ptr().cast(), &mut written, source.as_ptr().cast(), &mut consumed, null())
        };
        if is_error(hint) {
            return Err(CodecError::corrupt(error_name(hint)));
        }
        unsafe { output.commit(written) };
        position += consumed;
        if consumed == 0 && written == 0 {
            return Err(stalled(free, source.is_empty(), output_bytes_max));
        }
    }
}

fn stalled(free_bytes: usize, input_exhausted: bool, output_bytes_max: usize) -> CodecError {
    if free_bytes == 0 {
        CodecError::too_large(output_bytes_max)
    } else if input_exhausted {
        CodecError::truncated("input ends inside a frame")
    } else {
        CodecError::corrupt("decoder made no progress")
    }
}
