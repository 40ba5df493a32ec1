//! Fuzz target `key_file`: see [`pathwise_fuzz::Target::KeyFile`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    pathwise_fuzz::run(pathwise_fuzz::Target::KeyFile, data);
});
