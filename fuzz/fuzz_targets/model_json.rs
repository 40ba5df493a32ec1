//! Fuzz target `model_json`: see [`pathwise_fuzz::Target::ModelJson`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    pathwise_fuzz::run(pathwise_fuzz::Target::ModelJson, data);
});
