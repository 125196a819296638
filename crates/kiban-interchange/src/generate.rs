//! generator: todo
