//! Fuzz target `log_csv`: see [`pathwise_fuzz::Target::LogCsv`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    pathwise_fuzz::run(pathwise_fuzz::Target::LogCsv, data);
});
