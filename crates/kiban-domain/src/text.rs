//! text: filled in by the text task.
