//! JS-facing functions, one module per area. Each handler reads its arguments, calls a pure
//! function of the area module, and returns a value (or an error to throw / a Promise).

pub mod codec;
pub mod crc;
pub mod io;
pub mod memory;
pub mod records;
