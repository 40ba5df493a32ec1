//! Fuzz target `graph_toml`: see [`pathwise_fuzz::Target::GraphToml`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    pathwise_fuzz::run(pathwise_fuzz::Target::GraphToml, data);
});
