//! The ConvertTo-Json reader on arbitrary bytes: the shared reader invariants.
#![no_main]

use exconn::input::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    exconn_fuzz::check_reader(data, Some(Format::Json));
});
