//! `healthcheck-probe URL [--timeout DURATION]`: one plain-HTTP GET, judged by its status
//! line. Exit 0 on a 2xx, 1 on anything else, 2 on a usage error; one line on stdout
//! (success, `--help`) or stderr (failure, usage error) says why. The timeout bounds
//! everything, resolving the host too.

use std::process::ExitCode;

use healthcheck_probe::{USAGE, parse_args, probe};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|arg| arg == "-h" || arg == "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let (url, timeout) = match parse_args(&args) {
        Ok(parsed) => parsed,
        Err(problem) => {
            // One line, as every other answer.
            eprintln!("healthcheck-probe: {problem}; {USAGE}");
            return ExitCode::from(2);
        }
    };
    match probe(&url, timeout) {
        Ok(line) => {
            println!("healthcheck-probe: {line}");
            ExitCode::SUCCESS
        }
        Err(why) => {
            eprintln!("healthcheck-probe: {why}");
            ExitCode::from(1)
        }
    }
}
