//! scanRecords: checks that a v2 record body holds exactly `count` records, by the rules of
//! the TypeScript reference's decodeRecords (src/accel/js/records.ts), and gathers what
//! Produce validation needs without materialising records. Failure reasons use the codes of
//! wasm/assembly/records.ts (src/accel/record-reasons.ts turns them into text).

/// Largest magnitude a JS number holds exactly: 2^53 - 1.
const SAFE_INTEGER_MAX: i64 = 9_007_199_254_740_991;
const VARINT_BYTES_MAX: usize = 5;
const VARLONG_BYTES_MAX: usize = 10;

pub const REASON_BAD_VARINT: u32 = 1;
pub const REASON_TRUNCATED: u32 = 2;
pub const REASON_LENGTH: u32 = 3;
pub const REASON_KEY_LENGTH: u32 = 4;
pub const REASON_VALUE_LENGTH: u32 = 5;
pub const REASON_HEADER_COUNT: u32 = 6;
pub const REASON_HEADER_KEY_LENGTH: u32 = 7;
pub const REASON_HEADER_VALUE_LENGTH: u32 = 8;
pub const REASON_SIZE_MISMATCH: u32 = 9;
pub const REASON_TRAILING_BYTES: u32 = 10;
pub const REASON_TIMESTAMP: u32 = 11;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RecordScan {
    pub timestamp_delta_min: i64,
    pub timestamp_delta_max: i64,
    pub null_key_count: u32,
    /// First record whose offsetDelta is not its index.
    pub offset_delta_mismatch_index: Option<u32>,
}

/// Why and where the body is malformed (index == count: after the last record).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanError {
    pub reason: u32,
    pub record_index: u32,
}

type Step<T> = Result<T, u32>;

struct Cursor<'a> {
    body: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    /// Unsigned LEB128 of at most `bytes_max` bytes below `limit`.
    fn uvarint(&mut self, limit: usize, bytes_max: usize) -> Step<u64> {
        let mut value: u64 = 0;
        for i in 0..bytes_max {
            if self.pos >= limit {
                return Err(REASON_TRUNCATED);
            }
            let byte = self.body[self.pos] as u64;
            self.pos += 1;
            if i == 9 && byte > 1 {
                return Err(REASON_BAD_VARINT);
            }
            value |= (byte & 0x7f) << (7 * i);
            if byte < 0x80 {
                return Ok(value);
            }
        }
        Err(REASON_BAD_VARINT)
    }

    fn varint(&mut self, limit: usize) -> Step<i32> {
        let raw = self.uvarint(limit, VARINT_BYTES_MAX)?;
        if raw > u32::MAX as u64 {
            return Err(REASON_BAD_VARINT);
        }
        let raw = raw as u32;
        Ok(((raw >> 1) as i32) ^ -((raw & 1) as i32))
    }

    fn varlong(&mut self, limit: usize) -> Step<i64> {
        let raw = self.uvarint(limit, VARLONG_BYTES_MAX)?;
        Ok(((raw >> 1) as i64) ^ -((raw & 1) as i64))
    }

    /// Skips a length-prefixed field (`length_min` -1 allows null); returns its length.
    fn skip_field(&mut self, limit: usize, length_min: i32, reason: u32) -> Step<i32> {
        let length = self.varint(limit)?;
        if length < length_min {
            return Err(reason);
        }
        if length > 0 {
            if length as usize > limit - self.pos {
                return Err(REASON_TRUNCATED);
            }
            self.pos += length as usize;
        }
        Ok(length)
    }

    fn skip_headers(&mut self, record_end: usize, header_count_max: i32) -> Step<()> {
        let header_count = self.varint(record_end)?;
        if header_count < 0 || header_count > header_count_max || header_count as usize * 2 > record_end - self.pos {
            return Err(REASON_HEADER_COUNT);
        }
        for _ in 0..header_count {
            self.skip_field(record_end, 0, REASON_HEADER_KEY_LENGTH)?;
            self.skip_field(record_end, -1, REASON_HEADER_VALUE_LENGTH)?;
        }
        Ok(())
    }

    /// Scans one record, folding it into `scan`.
    fn record(&mut self, index: u32, header_count_max: i32, scan: &mut RecordScan) -> Step<()> {
        let end = self.body.len();
        let size = self.varint(end)?;
        if size <= 0 {
            return Err(REASON_LENGTH);
        }
        if size as usize > end - self.pos {
            return Err(REASON_TRUNCATED);
        }
        let record_end = self.pos + size as usize;
        self.pos += 1; // attributes
        let timestamp_delta = self.varlong(record_end)?;
        if !(-SAFE_INTEGER_MAX..=SAFE_INTEGER_MAX).contains(&timestamp_delta) {
            return Err(REASON_TIMESTAMP);
        }
        let offset_delta = self.varint(record_end)?;
        note_record(scan, timestamp_delta, offset_delta, index);
        if self.skip_field(record_end, -1, REASON_KEY_LENGTH)? < 0 {
            scan.null_key_count += 1;
        }
        self.skip_field(record_end, -1, REASON_VALUE_LENGTH)?;
        self.skip_headers(record_end, header_count_max)?;
        if self.pos != record_end {
            return Err(REASON_SIZE_MISMATCH);
        }
        Ok(())
    }
}

fn note_record(scan: &mut RecordScan, timestamp_delta: i64, offset_delta: i32, index: u32) {
    if index == 0 || timestamp_delta < scan.timestamp_delta_min {
        scan.timestamp_delta_min = timestamp_delta;
    }
    if index == 0 || timestamp_delta > scan.timestamp_delta_max {
        scan.timestamp_delta_max = timestamp_delta;
    }
    if offset_delta as i64 != index as i64 && scan.offset_delta_mismatch_index.is_none() {
        scan.offset_delta_mismatch_index = Some(index);
    }
}

/// Checks that `body` holds exactly `count` records. The caller has checked `count` against
/// the body size and limits.batchRecordCountMax.
pub fn scan_records(body: &[u8], count: u32, header_count_max: i32) -> Result<RecordScan, ScanError> {
    let mut cursor = Cursor { body, pos: 0 };
    let mut scan = RecordScan::default();
    for index in 0..count {
        cursor
            .record(index, header_count_max, &mut scan)
            .map_err(|reason| ScanError { reason, record_index: index })?;
    }
    if cursor.pos != body.len() {
        return Err(ScanError { reason: REASON_TRAILING_BYTES, record_index: count });
    }
    Ok(scan)
}
