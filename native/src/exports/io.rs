//! Segment file I/O on descriptors, sync and on the thread pool, with node-style errors.

use crate::io::{self, SysError};
use crate::napi::sys::napi_value;
use crate::napi::task::{spawn, Task};
use crate::napi::{Args, Env, ErrorClass, ErrorValue, JsError, JsResult, RawBuf};

/// Most buffers one pwritev call accepts from JS (each is referenced while async work runs).
const PWRITEV_BUFFERS_MAX: usize = 1 << 20;

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

pub fn open_js(args: &Args) -> JsResult<napi_value> {
    let path = args.string(0, "path")?;
    let flags = int_arg(args, 1, "flags")?;
    let mode = args.opt_uint32(2, "mode")?.unwrap_or(0o666);
    let fd = io::open_file(&path, flags, mode).map_err(sys_error)?;
    args.env.int32(fd)
}

pub fn close_js(args: &Args) -> JsResult<napi_value> {
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

pub fn pwrite_js(args: &Args) -> JsResult<napi_value> {
    let fd = args.fd(0)?;
    let data = args.buffer(1, "buf")?;
    let position = args.index(2, "position")?;
    let written = io::pwrite_all(fd, unsafe { data.as_slice() }, position).map_err(sys_error)?;
    args.env.size(written)
}

fn buffer_slices(list: &[(napi_value, RawBuf)]) -> Vec<&'static [u8]> {
    list.iter().map(|(_, buffer)| unsafe { buffer.as_slice() }).collect()
}

pub fn pwritev_js(args: &Args) -> JsResult<napi_value> {
    let fd = args.fd(0)?;
    let list = args.buffer_list(1, "bufs", PWRITEV_BUFFERS_MAX)?;
    let position = args.index(2, "position")?;
    let written = io::pwritev_all(fd, &buffer_slices(&list), position).map_err(sys_error)?;
    args.env.size(written)
}

pub fn pread_js(args: &Args) -> JsResult<napi_value> {
    let fd = args.fd(0)?;
    let target = read_target(args)?;
    let position = args.index(4, "position")?;
    let read = io::pread_into(fd, unsafe { target.as_mut_slice() }, position).map_err(sys_error)?;
    args.env.size(read)
}

pub fn fdatasync_js(args: &Args) -> JsResult<napi_value> {
    io::fdatasync_file(args.fd(0)?).map_err(sys_error)?;
    args.env.undefined()
}

pub fn fallocate_js(args: &Args) -> JsResult<napi_value> {
    let fd = args.fd(0)?;
    let offset = args.index(1, "offset")?;
    let length = args.index(2, "length")?;
    io::fallocate_file(fd, offset, length).map_err(sys_error)?;
    args.env.undefined()
}

pub fn file_size_js(args: &Args) -> JsResult<napi_value> {
    let size = io::file_size(args.fd(0)?).map_err(sys_error)?;
    args.env.size(size)
}

pub fn ftruncate_js(args: &Args) -> JsResult<napi_value> {
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
    fn to_js(&self, env: Env, count: usize) -> JsResult<napi_value> {
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

pub fn pwrite_async_js(args: &Args) -> JsResult<napi_value> {
    let fd = args.fd(0)?;
    let data = args.buffer(1, "buf")?;
    let position = args.index(2, "position")?;
    spawn_sys_call(args, &[args.value(1)], true, move || io::pwrite_all(fd, unsafe { data.as_slice() }, position))
}

pub fn pwritev_async_js(args: &Args) -> JsResult<napi_value> {
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

pub fn pread_async_js(args: &Args) -> JsResult<napi_value> {
    let fd = args.fd(0)?;
    let target = read_target(args)?;
    let position = args.index(4, "position")?;
    spawn_sys_call(args, &[args.value(1)], true, move || io::pread_into(fd, unsafe { target.as_mut_slice() }, position))
}

pub fn fdatasync_async_js(args: &Args) -> JsResult<napi_value> {
    let fd = args.fd(0)?;
    spawn_sys_call(args, &[], false, move || io::fdatasync_file(fd).map(|()| 0))
}
