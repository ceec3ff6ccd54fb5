//! Work on the libuv thread pool (napi_create_async_work) settled as a Promise. The task runs
//! without touching JS; the Buffers it reads or writes are kept alive by references that are
//! released when the work completes.

use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::null_mut;

use super::sys::*;
use super::{Env, JsError, JsResult};

pub trait Task: Send + 'static {
    type Output: Send + 'static;
    /// Runs on a pool thread: no JS values, no napi calls.
    fn compute(&mut self) -> Result<Self::Output, JsError>;
    /// Runs on the JS thread: turns the output into the value the Promise resolves with.
    fn to_js(&self, env: Env, output: Self::Output) -> JsResult<napi_value>;
}

struct Job<T: Task> {
    task: T,
    result: Option<Result<T::Output, JsError>>,
    deferred: napi_deferred,
    work: napi_async_work,
    references: Vec<napi_ref>,
}

/// Queues `task` and returns its Promise. `keep_alive` values stay referenced until it settles.
pub fn spawn<T: Task>(env: Env, task: T, keep_alive: &[napi_value]) -> JsResult<napi_value> {
    let name = env.string("rill.native")?;
    let mut deferred = null_mut();
    let mut promise = null_mut();
    let status = unsafe { napi_create_promise(env.0, &mut deferred, &mut promise) };
    if status != NAPI_OK {
        return Err(JsError::Napi(status, "napi_create_promise"));
    }
    let mut job = Box::new(Job { task, result: None, deferred, work: null_mut(), references: Vec::new() });
    if let Err(err) = reference_all(env, keep_alive, &mut job.references) {
        release(env, &mut job);
        return Err(err);
    }
    let data = Box::into_raw(job);
    let mut work = null_mut();
    let status = unsafe {
        napi_create_async_work(env.0, null_mut(), name, execute::<T>, complete::<T>, data.cast(), &mut work)
    };
    let status = if status == NAPI_OK {
        unsafe { (*data).work = work };
        unsafe { napi_queue_async_work(env.0, work) }
    } else {
        status
    };
    if status != NAPI_OK {
        let mut job = unsafe { Box::from_raw(data) };
        release(env, &mut job);
        return Err(JsError::Napi(status, "napi_queue_async_work"));
    }
    Ok(promise)
}

fn reference_all(env: Env, values: &[napi_value], references: &mut Vec<napi_ref>) -> JsResult<()> {
    references.reserve_exact(values.len());
    for &value in values {
        let mut reference = null_mut();
        let status = unsafe { napi_create_reference(env.0, value, 1, &mut reference) };
        if status != NAPI_OK {
            return Err(JsError::Napi(status, "napi_create_reference"));
        }
        references.push(reference);
    }
    Ok(())
}

fn release<T: Task>(env: Env, job: &mut Job<T>) {
    for reference in job.references.drain(..) {
        unsafe { napi_delete_reference(env.0, reference) };
    }
    if !job.work.is_null() {
        unsafe { napi_delete_async_work(env.0, job.work) };
        job.work = null_mut();
    }
}

unsafe extern "C" fn execute<T: Task>(_env: napi_env, data: *mut c_void) {
    let job = &mut *data.cast::<Job<T>>();
    let result = catch_unwind(AssertUnwindSafe(|| job.task.compute())).unwrap_or_else(|p| Err(JsError::panic(p)));
    job.result = Some(result);
}

unsafe extern "C" fn complete<T: Task>(env: napi_env, status: napi_status, data: *mut c_void) {
    let env = Env(env);
    let mut job = Box::from_raw(data.cast::<Job<T>>());
    release(env, &mut job);
    let result = if status == NAPI_OK {
        job.result.take().unwrap_or(Err(JsError::Napi(status, "async work finished without a result")))
    } else {
        Err(JsError::Napi(status, "async work"))
    };
    let settled = catch_unwind(AssertUnwindSafe(|| result.and_then(|output| job.task.to_js(env, output))))
        .unwrap_or_else(|p| Err(JsError::panic(p)));
    match settled {
        Ok(value) => napi_resolve_deferred(env.0, job.deferred, value),
        Err(err) => napi_reject_deferred(env.0, job.deferred, env.error_value(&err)),
    };
}
