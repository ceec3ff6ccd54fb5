//! A small, typed layer over the raw Node-API declarations in `sys`: argument readers, value
//! constructors, errors that become JS exceptions, and function export. Every napi status is
//! checked; a failed call becomes a `JsError::Napi` (the exception, if any, is already pending).

pub mod sys;
pub mod task;

use std::ffi::{c_void, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::{null_mut, NonNull};

use sys::*;

/// The most arguments any exported function reads.
pub const MAX_ARGS: usize = 6;
/// Largest integer a JS number holds exactly (positions and lengths must stay below it).
pub const SAFE_INTEGER_MAX: f64 = 9_007_199_254_740_991.0;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ErrorClass {
    Error,
    Type,
    Range,
}

/// A JS error to throw or reject with, built on the JS thread from plain data (so that work on
/// the thread pool can produce one).
#[derive(Debug)]
pub struct ErrorValue {
    pub class: ErrorClass,
    pub code: &'static str,
    pub message: String,
    /// Set as `errno` (negative, as node does) on system-call errors.
    pub errno: Option<i32>,
    pub syscall: Option<&'static str>,
    pub path: Option<String>,
}

#[derive(Debug)]
pub enum JsError {
    /// A Node-API call returned this status; an exception may already be pending.
    Napi(napi_status, &'static str),
    Value(ErrorValue),
}

pub type JsResult<T> = Result<T, JsError>;

impl JsError {
    pub fn new(class: ErrorClass, code: &'static str, message: String) -> JsError {
        JsError::Value(ErrorValue { class, code, message, errno: None, syscall: None, path: None })
    }
    pub fn type_error(name: &str, expected: &str) -> JsError {
        JsError::new(
            ErrorClass::Type,
            "ERR_INVALID_ARG_TYPE",
            format!("The \"{name}\" argument must be {expected}"),
        )
    }
    pub fn range_error(name: &str, message: String) -> JsError {
        JsError::new(ErrorClass::Range, "ERR_OUT_OF_RANGE", format!("The value of \"{name}\" is out of range: {message}"))
    }
    pub fn panic(payload: Box<dyn std::any::Any + Send>) -> JsError {
        let reason = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        JsError::new(ErrorClass::Error, "RILL_NATIVE_PANIC", format!("rill native: internal error: {reason}"))
    }
}

fn check(status: napi_status, what: &'static str) -> JsResult<()> {
    if status == NAPI_OK {
        Ok(())
    } else {
        Err(JsError::Napi(status, what))
    }
}

/// A Buffer's bytes as seen from Rust. The JS side owns them; they stay valid while the Buffer
/// is reachable (for async work: while a reference to it is held).
#[derive(Clone, Copy, Debug)]
pub struct RawBuf {
    pub ptr: *mut u8,
    pub len: usize,
}

// Safety: the bytes are only touched by one task at a time, and async work holds a reference
// to the owning Buffer until it completes.
unsafe impl Send for RawBuf {}

impl RawBuf {
    /// # Safety
    /// The owning Buffer must be alive for 'a and not resized (Buffers never are).
    pub unsafe fn as_slice<'a>(&self) -> &'a [u8] {
        std::slice::from_raw_parts(self.ptr, self.len)
    }
    /// # Safety
    /// As `as_slice`, and no other Rust reference to these bytes may exist.
    pub unsafe fn as_mut_slice<'a>(&self) -> &'a mut [u8] {
        std::slice::from_raw_parts_mut(self.ptr, self.len)
    }
}

#[derive(Clone, Copy)]
pub struct Env(pub napi_env);

impl Env {
    pub fn undefined(self) -> JsResult<napi_value> {
        let mut result = null_mut();
        check(unsafe { napi_get_undefined(self.0, &mut result) }, "napi_get_undefined")?;
        Ok(result)
    }
    pub fn boolean(self, value: bool) -> JsResult<napi_value> {
        let mut result = null_mut();
        check(unsafe { napi_get_boolean(self.0, value, &mut result) }, "napi_get_boolean")?;
        Ok(result)
    }
    pub fn uint32(self, value: u32) -> JsResult<napi_value> {
        let mut result = null_mut();
        check(unsafe { napi_create_uint32(self.0, value, &mut result) }, "napi_create_uint32")?;
        Ok(result)
    }
    pub fn int32(self, value: i32) -> JsResult<napi_value> {
        let mut result = null_mut();
        check(unsafe { napi_create_int32(self.0, value, &mut result) }, "napi_create_int32")?;
        Ok(result)
    }
    pub fn double(self, value: f64) -> JsResult<napi_value> {
        let mut result = null_mut();
        check(unsafe { napi_create_double(self.0, value, &mut result) }, "napi_create_double")?;
        Ok(result)
    }
    /// A byte count or position (always below 2^53 here) as a JS number.
    pub fn size(self, value: usize) -> JsResult<napi_value> {
        assert!(value as f64 <= SAFE_INTEGER_MAX, "size {value} exceeds 2^53");
        self.double(value as f64)
    }
    pub fn string(self, value: &str) -> JsResult<napi_value> {
        let mut result = null_mut();
        let status = unsafe { napi_create_string_utf8(self.0, value.as_ptr().cast(), value.len(), &mut result) };
        check(status, "napi_create_string_utf8")?;
        Ok(result)
    }
    pub fn set(self, object: napi_value, name: &CStr, value: napi_value) -> JsResult<()> {
        let status = unsafe { napi_set_named_property(self.0, object, name.as_ptr(), value) };
        check(status, "napi_set_named_property")
    }
    pub fn buffer_copy(self, data: &[u8]) -> JsResult<napi_value> {
        let mut result = null_mut();
        let mut copied: *mut c_void = null_mut();
        let status =
            unsafe { napi_create_buffer_copy(self.0, data.len(), data.as_ptr().cast(), &mut copied, &mut result) };
        check(status, "napi_create_buffer_copy")?;
        Ok(result)
    }
    /// Hands `data` to JS as a Buffer without a copy (an external buffer freed by finalizer).
    pub fn adopt_buffer(self, mut data: Vec<u8>) -> JsResult<napi_value> {
        if data.is_empty() {
            return self.buffer_copy(&data);
        }
        if data.capacity() - data.len() > data.len() / 8 {
            data.shrink_to_fit();
        }
        let length = data.len();
        let bytes = data.as_mut_ptr();
        let owner = Box::into_raw(Box::new(data));
        let mut result = null_mut();
        let status = unsafe {
            napi_create_external_buffer(self.0, length, bytes.cast(), drop_vec, owner.cast(), &mut result)
        };
        if status != NAPI_OK {
            drop(unsafe { Box::from_raw(owner) });
        }
        check(status, "napi_create_external_buffer")?;
        Ok(result)
    }

    /// Builds the JS error object for `err` (never fails: falls back to a plain Error).
    pub fn error_value(self, err: &JsError) -> napi_value {
        let built = match err {
            JsError::Value(value) => self.build_error(value),
            JsError::Napi(status, what) => self.build_error(&ErrorValue {
                class: ErrorClass::Error,
                code: "RILL_NAPI_FAILURE",
                message: format!("rill native: {what} failed with napi status {status}"),
                errno: None,
                syscall: None,
                path: None,
            }),
        };
        built.unwrap_or(null_mut())
    }

    fn build_error(self, value: &ErrorValue) -> JsResult<napi_value> {
        let code = self.string(value.code)?;
        let message = self.string(&value.message)?;
        let mut error = null_mut();
        let status = unsafe {
            match value.class {
                ErrorClass::Error => napi_create_error(self.0, code, message, &mut error),
                ErrorClass::Type => napi_create_type_error(self.0, code, message, &mut error),
                ErrorClass::Range => napi_create_range_error(self.0, code, message, &mut error),
            }
        };
        check(status, "napi_create_error")?;
        if let Some(errno) = value.errno {
            self.set(error, c"errno", self.int32(-errno)?)?;
        }
        if let Some(syscall) = value.syscall {
            self.set(error, c"syscall", self.string(syscall)?)?;
        }
        if let Some(path) = &value.path {
            self.set(error, c"path", self.string(path)?)?;
        }
        Ok(error)
    }

    fn exception_pending(self) -> bool {
        let mut pending = false;
        let status = unsafe { napi_is_exception_pending(self.0, &mut pending) };
        status == NAPI_OK && pending
    }

    /// Throws `err` unless a napi failure already left an exception pending.
    pub fn throw(self, err: &JsError) {
        if matches!(err, JsError::Napi(..)) && self.exception_pending() {
            return;
        }
        let error = self.error_value(err);
        if !error.is_null() {
            unsafe { napi_throw(self.0, error) };
        }
    }

    /// Exports `handler` on `exports` as `name`.
    pub fn export(self, exports: napi_value, name: &CStr, handler: Handler) -> JsResult<()> {
        let mut function = null_mut();
        let bytes = name.to_bytes();
        let status = unsafe {
            napi_create_function(self.0, bytes.as_ptr().cast(), bytes.len(), trampoline, handler as *mut c_void, &mut function)
        };
        check(status, "napi_create_function")?;
        self.set(exports, name, function)
    }
}

unsafe extern "C" fn drop_vec(_env: napi_env, _data: *mut c_void, hint: *mut c_void) {
    drop(Box::from_raw(hint.cast::<Vec<u8>>()));
}

/// An exported function: reads its arguments, returns a value or an error to throw.
pub type Handler = fn(&Args) -> JsResult<napi_value>;

unsafe extern "C" fn trampoline(env: napi_env, info: napi_callback_info) -> napi_value {
    let mut args = Args { env: Env(env), argv: [null_mut(); MAX_ARGS], argc: MAX_ARGS };
    let mut data: *mut c_void = null_mut();
    let status = napi_get_cb_info(env, info, &mut args.argc, args.argv.as_mut_ptr(), null_mut(), &mut data);
    if status != NAPI_OK || data.is_null() {
        Env(env).throw(&JsError::Napi(status, "napi_get_cb_info"));
        return null_mut();
    }
    args.argc = args.argc.min(MAX_ARGS);
    let handler = std::mem::transmute::<*mut c_void, Handler>(data);
    let outcome = catch_unwind(AssertUnwindSafe(|| handler(&args))).unwrap_or_else(|p| Err(JsError::panic(p)));
    match outcome {
        Ok(value) => value,
        Err(err) => {
            Env(env).throw(&err);
            null_mut()
        }
    }
}

/// The arguments of one call. Readers take the argument's index and its JS-facing name.
pub struct Args {
    pub env: Env,
    argv: [napi_value; MAX_ARGS],
    argc: usize,
}

impl Args {
    pub fn value(&self, index: usize) -> napi_value {
        assert!(index < MAX_ARGS, "argument index {index} beyond MAX_ARGS");
        self.argv[index]
    }

    fn is_absent(&self, index: usize) -> bool {
        if index >= self.argc {
            return true;
        }
        let mut kind: napi_valuetype = -1;
        let status = unsafe { napi_typeof(self.env.0, self.argv[index], &mut kind) };
        status == NAPI_OK && kind == NAPI_UNDEFINED
    }

    pub fn buffer(&self, index: usize, name: &str) -> JsResult<RawBuf> {
        let mut data: *mut c_void = null_mut();
        let mut len = 0usize;
        let status = unsafe { napi_get_buffer_info(self.env.0, self.value(index), &mut data, &mut len) };
        if status != NAPI_OK {
            return Err(JsError::type_error(name, "a Buffer"));
        }
        let ptr = if data.is_null() { NonNull::<u8>::dangling().as_ptr() } else { data.cast() };
        Ok(RawBuf { ptr, len })
    }

    pub fn opt_double(&self, index: usize, name: &str) -> JsResult<Option<f64>> {
        if index >= self.argc {
            return Ok(None);
        }
        let mut value = 0f64;
        let status = unsafe { napi_get_value_double(self.env.0, self.argv[index], &mut value) };
        if status == NAPI_OK {
            return Ok(Some(value));
        }
        if status == NAPI_NUMBER_EXPECTED && self.is_absent(index) {
            return Ok(None);
        }
        Err(JsError::type_error(name, "a number"))
    }

    pub fn double(&self, index: usize, name: &str) -> JsResult<f64> {
        self.opt_double(index, name)?.ok_or_else(|| JsError::type_error(name, "a number"))
    }

    /// A non-negative integer below 2^53 (a byte count, offset or position), or None if absent.
    pub fn opt_index(&self, index: usize, name: &str) -> JsResult<Option<usize>> {
        let Some(value) = self.opt_double(index, name)? else { return Ok(None) };
        if !((0.0..=SAFE_INTEGER_MAX).contains(&value) && value.fract() == 0.0) {
            return Err(JsError::range_error(name, format!("must be an integer >= 0 and <= 2^53 - 1. Received {value}")));
        }
        Ok(Some(value as usize))
    }

    pub fn index(&self, index: usize, name: &str) -> JsResult<usize> {
        self.opt_index(index, name)?.ok_or_else(|| JsError::type_error(name, "a number"))
    }

    /// A number read as uint32 (JS ToUint32 semantics), or None if absent.
    pub fn opt_uint32(&self, index: usize, name: &str) -> JsResult<Option<u32>> {
        if index >= self.argc {
            return Ok(None);
        }
        let mut value = 0u32;
        let status = unsafe { napi_get_value_uint32(self.env.0, self.argv[index], &mut value) };
        if status == NAPI_OK {
            return Ok(Some(value));
        }
        if status == NAPI_NUMBER_EXPECTED && self.is_absent(index) {
            return Ok(None);
        }
        Err(JsError::type_error(name, "a number"))
    }

    /// A file descriptor: an integer in [0, 2^31).
    pub fn fd(&self, index: usize) -> JsResult<i32> {
        let value = self.double(index, "fd")?;
        if !(value >= 0.0 && value <= i32::MAX as f64 && value.fract() == 0.0) {
            return Err(JsError::range_error("fd", format!("must be an integer >= 0 and <= 2147483647. Received {value}")));
        }
        Ok(value as i32)
    }

    pub fn string(&self, index: usize, name: &str) -> JsResult<String> {
        let value = self.value(index);
        let mut length = 0usize;
        let status = unsafe { napi_get_value_string_utf8(self.env.0, value, null_mut(), 0, &mut length) };
        if status != NAPI_OK || index >= self.argc {
            return Err(JsError::type_error(name, "a string"));
        }
        let mut bytes = vec![0u8; length + 1];
        let mut written = 0usize;
        let status = unsafe {
            napi_get_value_string_utf8(self.env.0, value, bytes.as_mut_ptr().cast(), bytes.len(), &mut written)
        };
        check(status, "napi_get_value_string_utf8")?;
        bytes.truncate(written);
        String::from_utf8(bytes).map_err(|_| JsError::type_error(name, "a valid UTF-8 string"))
    }

    /// An array of Buffers: each element's JS value (to keep it alive) and bytes.
    pub fn buffer_list(&self, index: usize, name: &str, count_max: usize) -> JsResult<Vec<(napi_value, RawBuf)>> {
        let array = self.value(index);
        let mut is_array = false;
        let status = unsafe { napi_is_array(self.env.0, array, &mut is_array) };
        if status != NAPI_OK || !is_array || index >= self.argc {
            return Err(JsError::type_error(name, "an Array of Buffers"));
        }
        let mut count = 0u32;
        check(unsafe { napi_get_array_length(self.env.0, array, &mut count) }, "napi_get_array_length")?;
        if count as usize > count_max {
            return Err(JsError::range_error(name, format!("holds {count} buffers, more than {count_max}")));
        }
        let mut list = Vec::with_capacity(count as usize);
        for i in 0..count {
            let mut element = null_mut();
            check(unsafe { napi_get_element(self.env.0, array, i, &mut element) }, "napi_get_element")?;
            let element_args = Args { env: self.env, argv: [element; MAX_ARGS], argc: 1 };
            let bytes = element_args.buffer(0, name)?;
            list.push((element, bytes));
        }
        Ok(list)
    }
}
