//! サービス種類コード. Filled in by the code-table task; this placeholder keeps the API shape.

use super::CodeError;

/// サービス種類コード (2 digits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServiceKind(u8);

impl ServiceKind {
    pub fn from_code(code: &str) -> Result<Self, CodeError> {
        code.parse::<u8>().map(Self).map_err(|_| CodeError {
            table: "サービス種類",
            english: "service kind",
            got: code.to_string(),
        })
    }
    pub fn code(self) -> String {
        format!("{:02}", self.0)
    }
}
