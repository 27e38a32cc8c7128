//! Daily rolling log files in the profile's data directory, with bounded retention.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// How many daily files are kept before the oldest is deleted.
const RETAINED_DAILY_FILES: usize = 14;

/// Keeps the background writer alive; dropping it flushes the log.
pub struct LogGuard(#[allow(dead_code)] WorkerGuard);

pub fn init(dir: &Path) -> Result<LogGuard, Box<dyn std::error::Error>> {
    std::fs::create_dir_all(dir)?;
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("desk")
        .filename_suffix("log")
        .max_log_files(RETAINED_DAILY_FILES)
        .build(dir)?;
    // The writer's queue is allocated whole up front: 8,192 lines rather than the default
    // 128,000 (4 MB held for the app's life); when it is full, lines are dropped, not waited for.
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(8_192)
        .finish(appender);
    let filter =
        EnvFilter::try_from_env("REVIEW_DESK_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .map_err(|e| e.to_string())?;
    Ok(LogGuard(guard))
}
