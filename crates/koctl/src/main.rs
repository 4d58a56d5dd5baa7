//! koctl: the headless twin of KubeOperator Desktop.
//!
//! Every subcommand is a thin layer over one `ko_api::Api` call: parse arguments, call, render.
//! Exit codes: 0 ok, 1 the operation failed, 2 bad usage or invalid input.

mod cli;
mod commands;
mod next_step;
mod output;
mod secrets_input;
mod vault_passphrase;

use clap::Parser;
use cli::Cli;
use std::process::ExitCode;

/// Exit code of a failed operation.
const EXIT_FAILED: u8 = 1;
/// Exit code of bad usage or invalid input.
const EXIT_INVALID: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let data_dir = match cli.global.data_dir() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(EXIT_FAILED);
        }
    };
    let _log_guard = ko_logging::init(&data_dir, "koctl");
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(EXIT_FAILED);
        }
    };
    let format = cli.global.output;
    match runtime.block_on(commands::run(cli, &data_dir)) {
        Ok(code) => code,
        Err(e) => output::report_error(format, &e),
    }
}
