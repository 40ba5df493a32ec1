//! Fuzz target `log_parquet`: see [`pathwise_fuzz::Target::LogParquet`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    pathwise_fuzz::run(pathwise_fuzz::Target::LogParquet, data);
});
