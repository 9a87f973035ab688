//! The runtime behind the blocking methods of the HTTP clients (feature
//! `http`): one current-thread tokio runtime per client, started on first
//! use, and a clear error instead of tokio's panic when a blocking method
//! is called from inside a runtime.

use std::future::Future;
use std::sync::OnceLock;

/// Runs `future` to completion on the runtime kept in `cell` (started on
/// first use). Errors, as `E` made by `runtime_error` from a message, when
/// called inside a tokio runtime (use the `_async` method there) or when
/// the runtime cannot start.
pub(crate) fn block_on<T, E>(
    cell: &OnceLock<tokio::runtime::Runtime>,
    future: impl Future<Output = Result<T, E>>,
    runtime_error: impl Fn(String) -> E,
) -> Result<T, E> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(runtime_error(
            "a blocking method was called inside a tokio runtime: call its _async form there".into(),
        ));
    }
    let runtime = match cell.get() {
        Some(runtime) => runtime,
        None => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| runtime_error(e.to_string()))?;
            cell.get_or_init(|| runtime)
        }
    };
    runtime.block_on(future)
}
