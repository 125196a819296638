//! Checks that need more than one row of the same file: a key twice, or a 履歴番号 that goes
//! backwards for one person. Memory is one small entry per person, so a million persons fit.

use crate::issue::Issue;
use crate::layout::Row;
use std::collections::HashMap;

#[derive(Default)]
pub struct WithinFile {
    /// Last 履歴番号 seen per 被保険者番号, with the line it was on.
    /// (u16, u32) keeps an entry at 16 bytes: a million persons cost ~35 MB, not ~50.
    last: HashMap<u64, (u16, u32)>,
}

impl WithinFile {
    /// Checks a row against the earlier rows of the file and remembers it. `Ok(true)` means
    /// this is the person's first row in the file, which lets a first load skip looking up
    /// what is stored for them.
    pub fn check(&mut self, line: u64, row: &Row) -> Result<bool, Issue> {
        let key = row.key();
        let person = key.insured.as_u64();
        if let Some(&(history, at)) = self.last.get(&person) {
            if key.history == history {
                return Err(Issue::error(
                    line,
                    "履歴番号",
                    "DUPLICATE_KEY",
                    format!(
                        "被保険者番号 {} 履歴番号 {} は{}行目と重複しています",
                        key.insured, key.history, at
                    ),
                    format!(
                        "insured {} history {} duplicates line {}",
                        key.insured, key.history, at
                    ),
                ));
            }
            if key.history < history && matches!(row, Row::Version(_)) {
                return Err(Issue::error(
                    line,
                    "履歴番号",
                    "HISTORY_BACKWARDS",
                    format!(
                        "履歴番号 {} が{}行目の {} より小さくなっています",
                        key.history, at, history
                    ),
                    format!(
                        "history number {} goes backwards from {} on line {}",
                        key.history, history, at
                    ),
                ));
            }
        }
        let previous = self.last.get(&person).map(|&(h, _)| h);
        let line32 = u32::try_from(line).unwrap_or(u32::MAX);
        self.last.insert(
            person,
            (previous.map_or(key.history, |h| h.max(key.history)), line32),
        );
        Ok(previous.is_none())
    }

    pub fn persons(&self) -> usize {
        self.last.len()
    }
}
