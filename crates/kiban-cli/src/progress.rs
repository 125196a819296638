//! Progress display for long runs: a spinner with the row count and rows per second. It draws
//! only on a terminal, so logs and CI output stay clean.

use indicatif::{ProgressBar, ProgressStyle};

pub fn rows(label: &str) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {prefix} {human_pos} 行 ({per_sec}) {elapsed}")
            .expect("valid template"),
    );
    bar.set_prefix(label.to_string());
    bar
}
