//! rules: filled in by the rules task.
