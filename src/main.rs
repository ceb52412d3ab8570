fn main() -> std::process::ExitCode {
    goleak_fix::cli::main()
}
