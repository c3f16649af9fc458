//! The `raphe` binary: parse flags, run, print the error once.

mod cli;

use clap::Parser;

/// Sweeps allocate a trajectory per run on every thread; glibc's allocator hands that memory
/// back to the system and faults it in again run after run (measured: 35% of a sweep's time),
/// mimalloc keeps it per thread.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    // A closed pipe (`raphe metrics | head`) ends raphe quietly, as it does any Unix tool,
    // instead of a panic in println!.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE at start, before any thread runs.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let args = cli::Cli::parse();
    let result = match args.command {
        cli::Command::Simulate(a) => cli::simulate(a),
        cli::Command::Compare(a) => cli::compare(a),
        cli::Command::Params { model, format } => cli::lists::params(model.as_deref(), format),
        cli::Command::Scenarios { format } => cli::lists::scenarios(format),
        cli::Command::Metrics { format } => cli::lists::metrics(format),
        cli::Command::Completions { shell } => {
            let mut command = <cli::Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "raphe", &mut std::io::stdout());
            Ok(())
        }
        cli::Command::Man => {
            let command = <cli::Cli as clap::CommandFactory>::command();
            clap_mangen::Man::new(command).render(&mut std::io::stdout()).map_err(anyhow::Error::from)
        }
        cli::Command::Drugs { folder, format } => cli::lists::drugs(folder, format),
        cli::Command::Plot(a) => cli::plot::run(a),
        cli::Command::Report { dirs, out } => cli::plot::report(&dirs, &out),
        cli::Command::Sweep(a) => cli::sweep(a),
        cli::Command::Merge { dirs, out, force } => cli::merge(dirs, out, force),
        cli::Command::Sensitivity(a) => cli::sensitivity(a),
        cli::Command::Cohort(a) => cli::cohort(a),
        cli::Command::Trial(a) => cli::trial(a),
        cli::Command::Validate(a) => cli::validate(a),
        cli::Command::ExportSbml(a) => cli::export_sbml(a),
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
