//! CRC32C (Castagnoli, reflected polynomial 0x82F63B78), as Kafka's v2 record batches use it.
//!
//! On x86-64 with SSE4.2 the `crc32` instruction does the work. Large inputs run three
//! independent lanes at once (the instruction has a latency of 3 cycles and a throughput of 1),
//! and the lane results are joined with a "shift by L zero bytes" operator: the CRC register is
//! linear, so crc(A || B) = shift_|B|(crc(A)) ^ crc(B) with a zero start, and the shift is a
//! 32x32 bit matrix applied through four 256-entry tables. Elsewhere: slice-by-8 tables.
//!
//! All `update*` functions work on the raw register (no inversion); `crc32c` inverts.

use std::sync::OnceLock;

const POLYNOMIAL_REFLECTED: u32 = 0x82F6_3B78;

/// TABLES[k][b]: the register after byte b followed by k zero bytes, from a zero register.
static TABLES: [[u32; 256]; 8] = build_tables();

const fn build_tables() -> [[u32; 256]; 8] {
    let mut tables = [[0u32; 256]; 8];
    let mut byte = 0;
    while byte < 256 {
        let mut crc = byte as u32;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ POLYNOMIAL_REFLECTED } else { crc >> 1 };
            bit += 1;
        }
        tables[0][byte] = crc;
        byte += 1;
    }
    let mut byte = 0;
    while byte < 256 {
        let mut k = 1;
        while k < 8 {
            let previous = tables[k - 1][byte];
            tables[k][byte] = (previous >> 8) ^ tables[0][(previous & 0xff) as usize];
            k += 1;
        }
        byte += 1;
    }
    tables
}

/// Slice-by-8 update of the raw register: the portable path.
pub fn update_portable(mut crc: u32, data: &[u8]) -> u32 {
    let t = &TABLES;
    let mut words = data.chunks_exact(8);
    for word in &mut words {
        let low = u32::from_le_bytes([word[0], word[1], word[2], word[3]]) ^ crc;
        let high = u32::from_le_bytes([word[4], word[5], word[6], word[7]]);
        crc = t[7][(low & 0xff) as usize]
            ^ t[6][((low >> 8) & 0xff) as usize]
            ^ t[5][((low >> 16) & 0xff) as usize]
            ^ t[4][(low >> 24) as usize]
            ^ t[3][(high & 0xff) as usize]
            ^ t[2][((high >> 8) & 0xff) as usize]
            ^ t[1][((high >> 16) & 0xff) as usize]
            ^ t[0][(high >> 24) as usize];
    }
    for &byte in words.remainder() {
        crc = t[0][((crc ^ byte as u32) & 0xff) as usize] ^ (crc >> 8);
    }
    crc
}

/// The linear operator "append `lane_bytes` zero bytes" on the raw register, as four tables.
pub struct ZeroShift {
    tables: [[u32; 256]; 4],
}

impl ZeroShift {
    pub fn new(lane_bytes: usize) -> ZeroShift {
        let zeros = vec![0u8; lane_bytes];
        let basis: Vec<u32> = (0..32).map(|bit| update_portable(1u32 << bit, &zeros)).collect();
        let mut tables = [[0u32; 256]; 4];
        for (k, table) in tables.iter_mut().enumerate() {
            for (byte, entry) in table.iter_mut().enumerate() {
                *entry = (0..8).filter(|bit| byte & (1 << bit) != 0).fold(0, |acc, bit| acc ^ basis[8 * k + bit]);
            }
        }
        ZeroShift { tables }
    }

    #[inline(always)]
    pub fn apply(&self, crc: u32) -> u32 {
        let t = &self.tables;
        t[0][(crc & 0xff) as usize]
            ^ t[1][((crc >> 8) & 0xff) as usize]
            ^ t[2][((crc >> 16) & 0xff) as usize]
            ^ t[3][(crc >> 24) as usize]
    }
}

/// Bytes per lane in the three-lane loops (multiples of 8).
const LONG_LANE_BYTES: usize = 4096;
const SHORT_LANE_BYTES: usize = 256;

struct Shifts {
    long: ZeroShift,
    short: ZeroShift,
}

fn shifts() -> &'static Shifts {
    static SHIFTS: OnceLock<Shifts> = OnceLock::new();
    SHIFTS.get_or_init(|| Shifts { long: ZeroShift::new(LONG_LANE_BYTES), short: ZeroShift::new(SHORT_LANE_BYTES) })
}

#[cfg(target_arch = "x86_64")]
mod sse42 {
    use super::{shifts, ZeroShift, LONG_LANE_BYTES, SHORT_LANE_BYTES};
    use std::arch::x86_64::{_mm_crc32_u64, _mm_crc32_u8};

    #[inline(always)]
    unsafe fn word_at(data: *const u8, offset: usize) -> u64 {
        u64::from_le(std::ptr::read_unaligned(data.add(offset).cast::<u64>()))
    }

    #[target_feature(enable = "sse4.2")]
    unsafe fn update_one_lane(crc: u32, data: &[u8]) -> u32 {
        let mut crc64 = crc as u64;
        let mut words = data.chunks_exact(8);
        for word in &mut words {
            crc64 = _mm_crc32_u64(crc64, u64::from_le_bytes(word.try_into().unwrap_unchecked()));
        }
        let mut crc = crc64 as u32;
        for &byte in words.remainder() {
            crc = _mm_crc32_u8(crc, byte);
        }
        crc
    }

    /// One block of 3 * lane_bytes: three lanes in parallel, joined with the zero shift.
    #[target_feature(enable = "sse4.2")]
    unsafe fn update_three_lanes(crc: u32, block: &[u8], lane_bytes: usize, shift: &ZeroShift) -> u32 {
        assert!(block.len() == 3 * lane_bytes && lane_bytes.is_multiple_of(8), "bad three-lane block");
        let base = block.as_ptr();
        let (mut a, mut b, mut c) = (crc as u64, 0u64, 0u64);
        let mut offset = 0;
        while offset < lane_bytes {
            a = _mm_crc32_u64(a, word_at(base, offset));
            b = _mm_crc32_u64(b, word_at(base, lane_bytes + offset));
            c = _mm_crc32_u64(c, word_at(base, 2 * lane_bytes + offset));
            offset += 8;
        }
        shift.apply(shift.apply(a as u32) ^ b as u32) ^ c as u32
    }

    #[target_feature(enable = "sse4.2")]
    pub unsafe fn update(mut crc: u32, data: &[u8]) -> u32 {
        let mut rest = data;
        if rest.len() >= 3 * SHORT_LANE_BYTES {
            let shifts = shifts();
            while rest.len() >= 3 * LONG_LANE_BYTES {
                let (block, tail) = rest.split_at(3 * LONG_LANE_BYTES);
                crc = update_three_lanes(crc, block, LONG_LANE_BYTES, &shifts.long);
                rest = tail;
            }
            while rest.len() >= 3 * SHORT_LANE_BYTES {
                let (block, tail) = rest.split_at(3 * SHORT_LANE_BYTES);
                crc = update_three_lanes(crc, block, SHORT_LANE_BYTES, &shifts.short);
                rest = tail;
            }
        }
        update_one_lane(crc, rest)
    }
}

/// Whether the hardware path runs on this CPU.
pub fn hardware_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("sse4.2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Raw-register update with the fastest path this CPU has.
pub fn update(crc: u32, data: &[u8]) -> u32 {
    #[cfg(target_arch = "x86_64")]
    {
        if hardware_available() {
            // Safety: SSE4.2 was detected at run time.
            return unsafe { sse42::update(crc, data) };
        }
    }
    update_portable(crc, data)
}

/// CRC32C of `data` continuing from `seed` (a previous CRC32C, 0 to start).
pub fn crc32c(seed: u32, data: &[u8]) -> u32 {
    !update(!seed, data)
}

/// As `crc32c`, always on the table path (tests and benchmarks compare the two).
pub fn crc32c_portable(seed: u32, data: &[u8]) -> u32 {
    !update_portable(!seed, data)
}

/// The name of the path `crc32c` takes on this CPU.
pub fn implementation_name() -> &'static str {
    if hardware_available() {
        "sse4.2-3way"
    } else {
        "table-slice8"
    }
}
