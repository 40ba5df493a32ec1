//! Fuzz target `credential`: see [`pathwise_fuzz::Target::Credential`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    pathwise_fuzz::run(pathwise_fuzz::Target::Credential, data);
});
