//! Fuzz target `log_dkt`: see [`pathwise_fuzz::Target::LogDkt`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    pathwise_fuzz::run(pathwise_fuzz::Target::LogDkt, data);
});
