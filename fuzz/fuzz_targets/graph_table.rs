//! Fuzz target `graph_table`: see [`pathwise_fuzz::Target::GraphTable`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    pathwise_fuzz::run(pathwise_fuzz::Target::GraphTable, data);
});
