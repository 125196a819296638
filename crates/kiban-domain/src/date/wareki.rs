//! 和暦 (Japanese era) parsing and formatting. Filled in by the wareki task.

use super::{Date, DateError};

pub fn parse(raw: &str) -> Result<Date, DateError> {
    Err(DateError::Format(raw.to_string()))
}
