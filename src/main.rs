//! The `raphe` binary: parse flags, run, print the error once.

mod cli;

use clap::Parser;

/// Sweeps allocate a trajectory per run on every thread; glibc's allocator hands that memory
/// back to the system and faults it in again run after run (measured: 35% of a sweep's time),
/// mimalloc keeps it per thread.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let args = cli::Cli::parse();
    let result = match args.command {
        cli::Command::Simulate(a) => cli::simulate(a),
        cli::Command::Compare(a) => cli::compare(a),
        cli::Command::Params { model } => cli::params(model.as_deref()),
        cli::Command::Drugs { folder } => cli::drugs(folder),
        cli::Command::Plot(a) => cli::plot::run(a),
        cli::Command::Report { dirs, out } => cli::plot::report(&dirs, &out),
        cli::Command::Sweep(a) => cli::sweep(a),
        cli::Command::Merge { dirs, out, force } => cli::merge(dirs, out, force),
        cli::Command::Sensitivity(a) => cli::sensitivity(a),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        // A closed pipe (`raphe params | head`) is not an error worth reporting.
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            // A sweep stopped by SIGINT or SIGTERM exits 130 or 143, as the shell expects.
            cli::signal_exit_code().map_or(std::process::ExitCode::FAILURE, std::process::ExitCode::from)
        }
    }
}
