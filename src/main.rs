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
        cli::Command::Params { model } => cli::params(model.as_deref()),
        cli::Command::Drugs { folder } => cli::drugs(folder),
        cli::Command::Plot(a) => cli::plot::run(a),
        cli::Command::Report { dirs, out } => cli::plot::report(&dirs, &out),
        cli::Command::Sweep { file, threads, shard, resume, stop_after_chunks, out, plot } => {
            cli::sweep(cli::SweepArgs { file, threads, shard, resume, stop_after_chunks, out, plot })
        }
        cli::Command::Merge { dirs, out } => cli::merge(dirs, out),
        cli::Command::Sensitivity { file, threads, out, plot } => cli::sensitivity(file, threads, out, plot),
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
            std::process::ExitCode::FAILURE
        }
    }
}
