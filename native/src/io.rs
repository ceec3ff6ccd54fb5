//! Segment file I/O on raw descriptors: positional reads and writes (pwritev in one system call
//! where it can), fdatasync, fallocate, fstat, ftruncate. Linux only. Errors carry errno and
//! the system call's name; lib.rs turns them into node-style errors.

use std::ffi::{c_char, c_int, c_uint, c_void, CString};

#[cfg(not(target_os = "linux"))]
compile_error!("rill-native's file I/O is written for Linux");
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
compile_error!("rill-native's struct stat layout is known for x86_64 and aarch64 only");

const EINTR: c_int = 4;
const EIO: c_int = 5;
const EINVAL: c_int = 22;
const ENOSYS: c_int = 38;
const EOPNOTSUPP: c_int = 95;
const O_CLOEXEC: c_int = 0o2_000_000;
const FALLOC_FL_KEEP_SIZE: c_int = 1;
/// Linux's IOV_MAX: the most buffers one pwritev call takes.
pub const IOV_MAX: usize = 1024;
/// Offset of st_size in struct stat on x86_64 and on aarch64 (the generic layout).
const STAT_SIZE_OFFSET: usize = 48;

#[repr(C)]
struct IoVec {
    base: *const c_void,
    len: usize,
}

#[repr(C, align(8))]
struct StatBuffer([u8; 256]);

extern "C" {
    fn open(path: *const c_char, flags: c_int, ...) -> c_int;
    fn close(fd: c_int) -> c_int;
    fn pwrite64(fd: c_int, buf: *const c_void, count: usize, offset: i64) -> isize;
    fn pread64(fd: c_int, buf: *mut c_void, count: usize, offset: i64) -> isize;
    fn pwritev64(fd: c_int, iov: *const IoVec, iovcnt: c_int, offset: i64) -> isize;
    fn fdatasync(fd: c_int) -> c_int;
    fn fallocate64(fd: c_int, mode: c_int, offset: i64, len: i64) -> c_int;
    fn fstat64(fd: c_int, buf: *mut StatBuffer) -> c_int;
    fn ftruncate64(fd: c_int, length: i64) -> c_int;
    fn __errno_location() -> *mut c_int;
}

#[derive(Debug)]
pub struct SysError {
    pub errno: i32,
    pub syscall: &'static str,
    pub path: Option<String>,
}

pub type SysResult<T> = Result<T, SysError>;

fn last_error(syscall: &'static str) -> SysError {
    SysError { errno: unsafe { *__errno_location() }, syscall, path: None }
}

/// Runs a system call returning -1 on error, again while it fails with EINTR.
fn retry_interrupted(syscall: &'static str, mut call: impl FnMut() -> isize) -> SysResult<usize> {
    loop {
        let result = call();
        if result >= 0 {
            return Ok(result as usize);
        }
        let error = last_error(syscall);
        if error.errno != EINTR {
            return Err(error);
        }
    }
}

fn position_i64(position: usize) -> i64 {
    i64::try_from(position).expect("file position beyond i64")
}

pub fn open_file(path: &str, flags: i32, mode: u32) -> SysResult<i32> {
    let with_path = |errno| SysError { errno, syscall: "open", path: Some(path.to_string()) };
    let c_path = CString::new(path).map_err(|_| with_path(EINVAL))?;
    let fd = retry_interrupted("open", || unsafe { open(c_path.as_ptr(), flags | O_CLOEXEC, mode as c_uint) as isize })
        .map_err(|error| with_path(error.errno))?;
    Ok(fd as i32)
}

pub fn close_file(fd: i32) -> SysResult<()> {
    // Not retried on EINTR: Linux has released the descriptor either way.
    if unsafe { close(fd) } != 0 {
        return Err(last_error("close"));
    }
    Ok(())
}

/// Writes all of `data` at `position`, looping only on short writes.
pub fn pwrite_all(fd: i32, data: &[u8], position: usize) -> SysResult<usize> {
    let mut written = 0;
    while written < data.len() {
        let rest = &data[written..];
        let count = retry_interrupted("write", || unsafe {
            pwrite64(fd, rest.as_ptr().cast(), rest.len(), position_i64(position + written))
        })?;
        if count == 0 {
            return Err(SysError { errno: EIO, syscall: "write", path: None });
        }
        written += count;
    }
    Ok(written)
}

/// Writes the buffers in order at `position` with one pwritev per IOV_MAX buffers, looping
/// only on short writes.
pub fn pwritev_all(fd: i32, buffers: &[&[u8]], position: usize) -> SysResult<usize> {
    let mut vectors: Vec<IoVec> =
        buffers.iter().filter(|b| !b.is_empty()).map(|b| IoVec { base: b.as_ptr().cast(), len: b.len() }).collect();
    let total: usize = vectors.iter().map(|v| v.len).sum();
    let mut written = 0;
    let mut first = 0;
    while first < vectors.len() {
        let batch = &vectors[first..(first + IOV_MAX).min(vectors.len())];
        let count = retry_interrupted("write", || unsafe {
            pwritev64(fd, batch.as_ptr(), batch.len() as c_int, position_i64(position + written))
        })?;
        if count == 0 {
            return Err(SysError { errno: EIO, syscall: "write", path: None });
        }
        written += count;
        first = advance(&mut vectors, first, count);
    }
    assert!(written == total, "pwritev wrote {written} of {total} bytes");
    Ok(written)
}

/// Skips `count` written bytes from vectors[first..]; returns the new first unwritten vector.
fn advance(vectors: &mut [IoVec], mut first: usize, mut count: usize) -> usize {
    while count > 0 {
        let vector = &mut vectors[first];
        if count < vector.len {
            vector.base = unsafe { vector.base.cast::<u8>().add(count).cast() };
            vector.len -= count;
            return first;
        }
        count -= vector.len;
        first += 1;
    }
    first
}

/// One read of up to `target.len()` bytes at `position`; 0 at end of file.
pub fn pread_into(fd: i32, target: &mut [u8], position: usize) -> SysResult<usize> {
    retry_interrupted("read", || unsafe {
        pread64(fd, target.as_mut_ptr().cast(), target.len(), position_i64(position))
    })
}

pub fn fdatasync_file(fd: i32) -> SysResult<()> {
    retry_interrupted("fdatasync", || unsafe { fdatasync(fd) as isize }).map(|_| ())
}

/// Reserves blocks for [offset, offset + length) without changing the file size; a no-op where
/// the file system cannot (EOPNOTSUPP, ENOSYS).
pub fn fallocate_file(fd: i32, offset: usize, length: usize) -> SysResult<()> {
    if length == 0 {
        return Ok(());
    }
    let result = retry_interrupted("fallocate", || unsafe {
        fallocate64(fd, FALLOC_FL_KEEP_SIZE, position_i64(offset), position_i64(length)) as isize
    });
    match result {
        Err(error) if error.errno == EOPNOTSUPP || error.errno == ENOSYS => Ok(()),
        other => other.map(|_| ()),
    }
}

pub fn file_size(fd: i32) -> SysResult<usize> {
    let mut stat = StatBuffer([0; 256]);
    if unsafe { fstat64(fd, &mut stat) } != 0 {
        return Err(last_error("fstat"));
    }
    let size = i64::from_ne_bytes(stat.0[STAT_SIZE_OFFSET..STAT_SIZE_OFFSET + 8].try_into().unwrap());
    assert!(size >= 0, "fstat reported a negative size");
    Ok(size as usize)
}

pub fn ftruncate_file(fd: i32, length: usize) -> SysResult<()> {
    retry_interrupted("ftruncate", || unsafe { ftruncate64(fd, position_i64(length)) as isize }).map(|_| ())
}

/// Node's name for an errno (as libuv reports it) and a short description.
pub fn errno_name(errno: i32) -> (&'static str, &'static str) {
    match errno {
        1 => ("EPERM", "operation not permitted"),
        2 => ("ENOENT", "no such file or directory"),
        4 => ("EINTR", "interrupted system call"),
        5 => ("EIO", "i/o error"),
        6 => ("ENXIO", "no such device or address"),
        9 => ("EBADF", "bad file descriptor"),
        11 => ("EAGAIN", "resource temporarily unavailable"),
        12 => ("ENOMEM", "not enough memory"),
        13 => ("EACCES", "permission denied"),
        14 => ("EFAULT", "bad address in system call argument"),
        16 => ("EBUSY", "resource busy or locked"),
        17 => ("EEXIST", "file already exists"),
        18 => ("EXDEV", "cross-device link not permitted"),
        19 => ("ENODEV", "no such device"),
        20 => ("ENOTDIR", "not a directory"),
        21 => ("EISDIR", "illegal operation on a directory"),
        22 => ("EINVAL", "invalid argument"),
        23 => ("ENFILE", "file table overflow"),
        24 => ("EMFILE", "too many open files"),
        26 => ("ETXTBSY", "text file is busy"),
        27 => ("EFBIG", "file too large"),
        28 => ("ENOSPC", "no space left on device"),
        29 => ("ESPIPE", "invalid seek"),
        30 => ("EROFS", "read-only file system"),
        31 => ("EMLINK", "too many links"),
        32 => ("EPIPE", "broken pipe"),
        36 => ("ENAMETOOLONG", "name too long"),
        38 => ("ENOSYS", "function not implemented"),
        39 => ("ENOTEMPTY", "directory not empty"),
        40 => ("ELOOP", "too many symbolic links encountered"),
        75 => ("EOVERFLOW", "value too large for defined data type"),
        95 => ("ENOTSUP", "operation not supported on socket"),
        122 => ("EDQUOT", "disk quota exceeded"),
        _ => ("UNKNOWN", "unknown error"),
    }
}
