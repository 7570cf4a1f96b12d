//! The `provision` binary: everything happens in [`provision::run`].

fn main() -> std::process::ExitCode {
    provision::run::main()
}
