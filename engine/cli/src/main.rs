//! The `pathwise` binary: everything lives in the `pathwise_cli` library so it can be tested.

fn main() -> std::process::ExitCode {
    pathwise_cli::main()
}
