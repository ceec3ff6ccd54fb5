//! Snappy through libsnappy's C binding (snappy-c.h). Kafka's snappy payload is either one raw
//! snappy block (librdkafka, ours) or the xerial stream the Java client writes:
//! a 16-byte header (0x82 "SNAPPY" 0x00, int32 BE version, int32 BE compatible version) and
//! then blocks of [int32 BE compressed length][raw snappy block].
//!
//! Every block's declared uncompressed length is checked against the cap before the output is
//! allocated, and the output is allocated once.

use std::ffi::{c_char, c_int};

use super::{reserve_output, CodecError, CodecResult};

const STATUS_OK: c_int = 0;
const XERIAL_MAGIC: [u8; 8] = [0x82, b'S', b'N', b'A', b'P', b'P', b'Y', 0];
const XERIAL_HEADER_BYTES: usize = 16;
/// A raw block's preamble is the uncompressed length as a varint of at most 5 bytes.
const PREAMBLE_BYTES_MAX: usize = 5;

extern "C" {
    fn snappy_compress(input: *const c_char, input_length: usize, compressed: *mut c_char, compressed_length: *mut usize)
        -> c_int;
    fn snappy_uncompress(
        compressed: *const c_char,
        compressed_length: usize,
        uncompressed: *mut c_char,
        uncompressed_length: *mut usize,
    ) -> c_int;
    fn snappy_max_compressed_length(source_length: usize) -> usize;
    fn snappy_uncompressed_length(compressed: *const c_char, compressed_length: usize, result: *mut usize) -> c_int;
}

pub fn compress(input: &[u8], output: &mut Vec<u8>) {
    let bound = unsafe { snappy_max_compressed_length(input.len()) };
    reserve_output(output, bound);
    let mut written = bound;
    let status =
        unsafe { snappy_compress(input.as_ptr().cast(), input.len(), output.as_mut_ptr().cast(), &mut written) };
    assert!(status == STATUS_OK && written <= bound, "snappy_compress failed with status {status}");
    unsafe { output.set_len(written) };
}

pub fn decompress(input: &[u8], output_bytes_max: usize, output: &mut Vec<u8>) -> CodecResult<()> {
    if input.len() >= XERIAL_MAGIC.len() && input[..XERIAL_MAGIC.len()] == XERIAL_MAGIC {
        return decompress_xerial(input, output_bytes_max, output);
    }
    let size = block_uncompressed_bytes(input)?;
    if size > output_bytes_max {
        return Err(CodecError::too_large(output_bytes_max));
    }
    reserve_output(output, size);
    uncompress_block_into(input, output, size)
}

fn block_uncompressed_bytes(block: &[u8]) -> CodecResult<usize> {
    let mut size = 0usize;
    let status = unsafe { snappy_uncompressed_length(block.as_ptr().cast(), block.len(), &mut size) };
    if status == STATUS_OK {
        return Ok(size);
    }
    let preamble_unfinished = block.len() < PREAMBLE_BYTES_MAX && block.iter().all(|byte| byte & 0x80 != 0);
    if preamble_unfinished {
        Err(CodecError::truncated("input ends inside the length preamble"))
    } else {
        Err(CodecError::corrupt("bad length preamble"))
    }
}

/// Appends the block's `size` uncompressed bytes to `output` (capacity already reserved).
fn uncompress_block_into(block: &[u8], output: &mut Vec<u8>, size: usize) -> CodecResult<()> {
    assert!(output.capacity() - output.len() >= size, "snappy output not reserved");
    let start = output.len();
    let mut written = size;
    let status = unsafe {
        snappy_uncompress(block.as_ptr().cast(), block.len(), output.as_mut_ptr().add(start).cast(), &mut written)
    };
    if status != STATUS_OK {
        return Err(classify_failure(block, size));
    }
    assert!(written == size, "snappy wrote {written} bytes where the preamble said {size}");
    unsafe { output.set_len(start + written) };
    Ok(())
}

/// After libsnappy rejected a block: walks its tags to tell a cut-off block (the tags run past
/// the end, or stop before producing the preamble's length, all of them valid so far) from a
/// corrupt one (a copy reaching before the start, or more output than the preamble says).
fn classify_failure(block: &[u8], size: usize) -> CodecError {
    let mut position = block.iter().position(|byte| byte & 0x80 == 0).map_or(block.len(), |end| end + 1);
    let mut produced = 0usize;
    while position < block.len() {
        let Some(element) = element_at(block, position) else {
            return CodecError::truncated("input ends inside a block");
        };
        if element.copy_offset.is_some_and(|offset| offset == 0 || offset > produced) {
            return CodecError::corrupt("copy offset outside the output");
        }
        position = position.saturating_add(element.encoded_bytes);
        produced = produced.saturating_add(element.output_bytes);
        if produced > size {
            return CodecError::corrupt("block produces more than its preamble says");
        }
    }
    if position > block.len() || produced < size {
        CodecError::truncated("input ends inside a block")
    } else {
        CodecError::corrupt("invalid block")
    }
}

struct Element {
    encoded_bytes: usize,
    output_bytes: usize,
    copy_offset: Option<usize>,
}

/// The literal or copy at `position`, or None if its tag bytes run past the end.
fn element_at(block: &[u8], position: usize) -> Option<Element> {
    let tag = block[position];
    let operand = |count: usize| -> Option<usize> {
        let bytes = block.get(position + 1..position + 1 + count)?;
        Some(bytes.iter().rev().fold(0usize, |acc, &byte| (acc << 8) | byte as usize))
    };
    let element = match tag & 3 {
        0 if tag >> 2 < 60 => {
            let length = (tag >> 2) as usize + 1;
            Element { encoded_bytes: 1 + length, output_bytes: length, copy_offset: None }
        }
        0 => {
            let length_bytes = (tag >> 2) as usize - 59;
            let length = operand(length_bytes)? + 1;
            Element { encoded_bytes: 1 + length_bytes + length, output_bytes: length, copy_offset: None }
        }
        1 => Element {
            encoded_bytes: 2,
            output_bytes: 4 + ((tag >> 2) & 7) as usize,
            copy_offset: Some((((tag >> 5) as usize) << 8) | operand(1)?),
        },
        2 => Element { encoded_bytes: 3, output_bytes: (tag >> 2) as usize + 1, copy_offset: Some(operand(2)?) },
        _ => Element { encoded_bytes: 5, output_bytes: (tag >> 2) as usize + 1, copy_offset: Some(operand(4)?) },
    };
    Some(element)
}

/// The blocks of a xerial stream, each checked for its bounds.
fn xerial_blocks(input: &[u8]) -> CodecResult<Vec<&[u8]>> {
    if input.len() < XERIAL_HEADER_BYTES {
        return Err(CodecError::truncated("input ends inside the xerial header"));
    }
    let mut blocks = Vec::new();
    let mut position = XERIAL_HEADER_BYTES;
    while position < input.len() {
        let Some(length) = input.get(position..position + 4) else {
            return Err(CodecError::truncated("input ends inside a xerial block length"));
        };
        let length = i32::from_be_bytes(length.try_into().unwrap());
        if length <= 0 {
            return Err(CodecError::corrupt(format!("xerial block length {length}")));
        }
        let start = position + 4;
        let Some(block) = input.get(start..start + length as usize) else {
            return Err(CodecError::truncated("input ends inside a xerial block"));
        };
        blocks.push(block);
        position = start + length as usize;
    }
    Ok(blocks)
}

fn decompress_xerial(input: &[u8], output_bytes_max: usize, output: &mut Vec<u8>) -> CodecResult<()> {
    let blocks = xerial_blocks(input)?;
    let mut sizes = Vec::with_capacity(blocks.len());
    let mut total = 0usize;
    for block in &blocks {
        let size = block_uncompressed_bytes(block)?;
        total = total.saturating_add(size);
        if total > output_bytes_max {
            return Err(CodecError::too_large(output_bytes_max));
        }
        sizes.push(size);
    }
    reserve_output(output, total);
    for (block, size) in blocks.iter().zip(sizes) {
        uncompress_block_into(block, output, size)?;
    }
    Ok(())
}
