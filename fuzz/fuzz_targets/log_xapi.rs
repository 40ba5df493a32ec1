//! Fuzz target `log_xapi`: see [`pathwise_fuzz::Target::LogXapi`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    pathwise_fuzz::run(pathwise_fuzz::Target::LogXapi, data);
});
