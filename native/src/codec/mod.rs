//! Kafka's native codecs over the system C libraries: zstd frames, LZ4 frames (with Kafka's
//! old header-checksum bug accepted), snappy raw blocks and xerial framing. Pure functions on
//! byte slices; they run on the JS thread or on the thread pool alike (contexts are per thread).
//!
//! Decompression never allocates more than the caller's cap for the output (zstd's window,
//! see zstd.rs, is bounded separately) and never trusts a length field beyond that cap.

pub mod lz4;
pub mod snappy;
pub mod zstd;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Codec {
    Snappy,
    Lz4,
    Zstd,
}

impl Codec {
    /// From Kafka's attribute id (2 snappy, 3 lz4, 4 zstd); gzip (1) is not native.
    pub fn from_id(id: u32) -> Option<Codec> {
        match id {
            2 => Some(Codec::Snappy),
            3 => Some(Codec::Lz4),
            4 => Some(Codec::Zstd),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    Corrupt,
    Truncated,
    TooLarge,
}

#[derive(Debug)]
pub struct CodecError {
    pub kind: ErrorKind,
    pub message: String,
}

impl CodecError {
    pub fn corrupt(message: impl Into<String>) -> CodecError {
        CodecError { kind: ErrorKind::Corrupt, message: message.into() }
    }
    pub fn truncated(message: impl Into<String>) -> CodecError {
        CodecError { kind: ErrorKind::Truncated, message: message.into() }
    }
    pub fn too_large(output_bytes_max: usize) -> CodecError {
        CodecError {
            kind: ErrorKind::TooLarge,
            message: format!("decompressed size exceeds the limit of {output_bytes_max} bytes"),
        }
    }
}

pub type CodecResult<T> = Result<T, CodecError>;

/// Compresses with Kafka's framing into `output` (empty; its capacity may be reused).
/// `level` None picks the codec's Kafka default.
pub fn compress(codec: Codec, input: &[u8], level: Option<i32>, output: &mut Vec<u8>) {
    match codec {
        Codec::Snappy => snappy::compress(input, output),
        Codec::Lz4 => lz4::compress(input, level.unwrap_or(lz4::LEVEL_DEFAULT), output),
        Codec::Zstd => zstd::compress(input, level.unwrap_or(zstd::LEVEL_DEFAULT), output),
    }
}

/// Decompresses into `output` (empty; its capacity may be reused), at most `output_bytes_max`.
pub fn decompress(codec: Codec, input: &[u8], output_bytes_max: usize, output: &mut Vec<u8>) -> CodecResult<()> {
    match codec {
        Codec::Snappy => snappy::decompress(input, output_bytes_max, output),
        Codec::Lz4 => lz4::decompress(input, output_bytes_max, output),
        Codec::Zstd => zstd::decompress(input, output_bytes_max, output),
    }
}

/// Makes room for `bytes` in an empty output without reallocating later.
pub fn reserve_output(output: &mut Vec<u8>, bytes: usize) {
    assert!(output.is_empty(), "codec output must start empty");
    output.reserve_exact(bytes);
}

/// An output buffer that grows by doubling, never past `bytes_max`.
pub struct CappedOutput<'a> {
    bytes: &'a mut Vec<u8>,
    bytes_max: usize,
}

const OUTPUT_BYTES_MIN: usize = 4096;

impl<'a> CappedOutput<'a> {
    /// Starts at a guess of 4x the input (the typical ratio of record batches), within the cap.
    pub fn for_input(output: &'a mut Vec<u8>, input_bytes: usize, bytes_max: usize) -> CappedOutput<'a> {
        let guess = input_bytes.saturating_mul(4).max(OUTPUT_BYTES_MIN);
        CappedOutput::with_capacity(output, guess, bytes_max)
    }

    pub fn with_capacity(output: &'a mut Vec<u8>, capacity: usize, bytes_max: usize) -> CappedOutput<'a> {
        reserve_output(output, capacity.min(bytes_max));
        CappedOutput { bytes: output, bytes_max }
    }

    /// Makes room if there is none and the cap allows; returns the free byte count (0 only
    /// when the output has reached the cap).
    pub fn make_room(&mut self) -> usize {
        let used = self.bytes.len();
        if used == self.bytes.capacity() && used < self.bytes_max {
            let target = used.saturating_mul(2).max(OUTPUT_BYTES_MIN).min(self.bytes_max);
            self.bytes.reserve_exact(target - used);
        }
        self.free_bytes()
    }

    pub fn free_bytes(&self) -> usize {
        self.bytes.capacity().min(self.bytes_max) - self.bytes.len()
    }

    pub fn free_ptr(&mut self) -> *mut u8 {
        // Safety: len <= capacity, so the pointer stays inside (or one past) the allocation.
        unsafe { self.bytes.as_mut_ptr().add(self.bytes.len()) }
    }

    /// Records that `written` bytes after the current end were initialized.
    ///
    /// # Safety
    /// Those bytes must have been written through `free_ptr`.
    pub unsafe fn commit(&mut self, written: usize) {
        assert!(written <= self.free_bytes(), "codec wrote past the free space");
        self.bytes.set_len(self.bytes.len() + written);
    }
}
