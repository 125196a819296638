//! Small-cell suppression (秘匿処理) for regional statistics: tables of people counted by area,
//! office or level must not let anyone learn about a group of fewer than [`MIN_CELL`] people.
//!
//! Primary suppression hides every cell below the threshold, zeros included (a zero says that
//! nobody in that group has the attribute, which is itself information about people). Totals come
//! from the true counts and are hidden by the same rule. Secondary (complementary) suppression
//! then hides more cells until no hidden value equals a shown total minus shown cells.
//!
//! Scope: this guards against differencing along one row, one column, or the margins (row totals
//! against the grand total, column totals against the grand total). It does not audit recovery
//! through combinations of several lines (a hidden cell whose pattern forms a "bridge" between
//! two cycles of hidden cells can in principle still be solved for); tables published from here
//! are small enough that one-line differencing is the realistic risk.

use serde::{Deserialize, Serialize};

/// The smallest count that may be shown.
pub const MIN_CELL: u32 = 10;

/// A published cell: the count, or `null` in JSON when suppressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cell {
    Count(u32),
    Suppressed,
}

impl Cell {
    pub fn is_suppressed(self) -> bool {
        self == Self::Suppressed
    }

    pub fn count(self) -> Option<u32> {
        match self {
            Self::Count(n) => Some(n),
            Self::Suppressed => None,
        }
    }
}

impl Serialize for Cell {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.count().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Cell {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Option::<u32>::deserialize(d)?.map_or(Self::Suppressed, Self::Count))
    }
}

/// A table ready to publish: `cells[r][c]`, the totals of each row and column, and the grand
/// total, all from the true counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuppressedTable {
    pub cells: Vec<Vec<Cell>>,
    pub row_totals: Vec<Cell>,
    pub column_totals: Vec<Cell>,
    pub total: Cell,
}

/// A position in the table: a cell, a row total, a column total or the grand total. Lines are
/// made of these so one routine handles rows, columns and the margins alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Cell(usize, usize),
    RowTotal(usize),
    ColumnTotal(usize),
    Total,
}

/// A line: parts that add up to a whole.
struct Line {
    parts: Vec<Slot>,
    whole: Slot,
}

struct Work {
    values: Vec<Vec<u32>>,
    hidden: Vec<Vec<bool>>,
    row_totals: Vec<u32>,
    row_hidden: Vec<bool>,
    column_totals: Vec<u32>,
    column_hidden: Vec<bool>,
    total: u32,
    total_hidden: bool,
}

impl Work {
    fn value(&self, s: Slot) -> u32 {
        match s {
            Slot::Cell(r, c) => self.values[r][c],
            Slot::RowTotal(r) => self.row_totals[r],
            Slot::ColumnTotal(c) => self.column_totals[c],
            Slot::Total => self.total,
        }
    }

    fn is_hidden(&self, s: Slot) -> bool {
        match s {
            Slot::Cell(r, c) => self.hidden[r][c],
            Slot::RowTotal(r) => self.row_hidden[r],
            Slot::ColumnTotal(c) => self.column_hidden[c],
            Slot::Total => self.total_hidden,
        }
    }

    fn hide(&mut self, s: Slot) {
        match s {
            Slot::Cell(r, c) => self.hidden[r][c] = true,
            Slot::RowTotal(r) => self.row_hidden[r] = true,
            Slot::ColumnTotal(c) => self.column_hidden[c] = true,
            Slot::Total => self.total_hidden = true,
        }
    }

    fn cell(&self, s: Slot) -> Cell {
        if self.is_hidden(s) {
            Cell::Suppressed
        } else {
            Cell::Count(self.value(s))
        }
    }

    /// In a line whose whole is shown and exactly one part is hidden, hides the smallest other
    /// shown part (the earliest on a tie), or the whole when no part is left. Returns whether
    /// anything changed.
    fn protect(&mut self, line: &Line) -> bool {
        if self.is_hidden(line.whole) {
            return false;
        }
        let hidden = line.parts.iter().filter(|&&p| self.is_hidden(p)).count();
        if hidden != 1 {
            return false;
        }
        let smallest = line
            .parts
            .iter()
            .copied()
            .filter(|&p| !self.is_hidden(p))
            .min_by_key(|&p| self.value(p));
        self.hide(smallest.unwrap_or(line.whole));
        true
    }
}

/// Suppresses a table of true counts (`counts[r][c]`). Rows may differ in length; a column's
/// total then covers the rows that have that column. Sums saturate at `u32::MAX`.
pub fn suppress_table(counts: &[Vec<u32>]) -> SuppressedTable {
    let width = counts.iter().map(Vec::len).max().unwrap_or(0);
    let row_totals: Vec<u32> = counts.iter().map(|row| sum(row.iter().copied())).collect();
    let column_totals: Vec<u32> = (0..width)
        .map(|c| sum(counts.iter().filter_map(|row| row.get(c).copied())))
        .collect();
    let total = sum(row_totals.iter().copied());
    let small = |n: u32| n < MIN_CELL;
    let mut work = Work {
        hidden: counts
            .iter()
            .map(|row| row.iter().map(|&n| small(n)).collect())
            .collect(),
        row_hidden: row_totals.iter().map(|&n| small(n)).collect(),
        column_hidden: column_totals.iter().map(|&n| small(n)).collect(),
        total_hidden: small(total),
        values: counts.to_vec(),
        row_totals,
        column_totals,
        total,
    };

    let mut lines: Vec<Line> = Vec::new();
    for (r, row) in counts.iter().enumerate() {
        lines.push(Line {
            parts: (0..row.len()).map(|c| Slot::Cell(r, c)).collect(),
            whole: Slot::RowTotal(r),
        });
    }
    for c in 0..width {
        lines.push(Line {
            parts: (0..counts.len())
                .filter(|&r| c < counts[r].len())
                .map(|r| Slot::Cell(r, c))
                .collect(),
            whole: Slot::ColumnTotal(c),
        });
    }
    lines.push(Line {
        parts: (0..counts.len()).map(Slot::RowTotal).collect(),
        whole: Slot::Total,
    });
    lines.push(Line {
        parts: (0..width).map(Slot::ColumnTotal).collect(),
        whole: Slot::Total,
    });

    // Hiding only ever adds, so this stops after at most one pass per slot.
    let mut changed = true;
    while changed {
        changed = false;
        for line in &lines {
            changed |= work.protect(line);
        }
    }

    SuppressedTable {
        cells: counts
            .iter()
            .enumerate()
            .map(|(r, row)| {
                (0..row.len())
                    .map(|c| work.cell(Slot::Cell(r, c)))
                    .collect()
            })
            .collect(),
        row_totals: (0..counts.len())
            .map(|r| work.cell(Slot::RowTotal(r)))
            .collect(),
        column_totals: (0..width)
            .map(|c| work.cell(Slot::ColumnTotal(c)))
            .collect(),
        total: work.cell(Slot::Total),
    }
}

fn sum(values: impl Iterator<Item = u32>) -> u32 {
    values.fold(0, u32::saturating_add)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every line with a shown whole has 0 or at least 2 hidden parts, so no hidden value is
    /// the whole minus the shown parts.
    fn assert_not_recoverable(t: &SuppressedTable) {
        let check = |parts: Vec<Cell>, whole: Cell, what: &str| {
            let hidden = parts.iter().filter(|c| c.is_suppressed()).count();
            assert!(
                whole.is_suppressed() || hidden != 1,
                "{what}: one hidden part under a shown total in {t:?}"
            );
        };
        for (r, row) in t.cells.iter().enumerate() {
            check(row.clone(), t.row_totals[r], &format!("row {r}"));
        }
        for (c, &whole) in t.column_totals.iter().enumerate() {
            let parts = t
                .cells
                .iter()
                .filter_map(|row| row.get(c).copied())
                .collect();
            check(parts, whole, &format!("column {c}"));
        }
        check(t.row_totals.clone(), t.total, "row totals");
        check(t.column_totals.clone(), t.total, "column totals");
    }

    /// Shown values must be the true ones.
    fn assert_true_where_shown(counts: &[Vec<u32>], t: &SuppressedTable) {
        for (r, row) in counts.iter().enumerate() {
            for (c, &n) in row.iter().enumerate() {
                assert!(t.cells[r][c] == Cell::Count(n) || t.cells[r][c].is_suppressed());
                if n < MIN_CELL {
                    assert!(t.cells[r][c].is_suppressed(), "({r},{c}) = {n} shown");
                }
            }
        }
    }

    #[test]
    fn nine_is_hidden_and_ten_is_shown() {
        // Each row and column already has two small cells or none, so nothing more is hidden.
        let t = suppress_table(&[vec![9, 9, 10], vec![9, 9, 10]]);
        assert_eq!(t.cells[0][0], Cell::Suppressed);
        assert_eq!(t.cells[0][2], Cell::Count(10));
        assert_eq!(t.cells[1][2], Cell::Count(10));
        assert_eq!(t.row_totals, vec![Cell::Count(28), Cell::Count(28)]);
        assert_eq!(t.column_totals[0], Cell::Count(18));
        assert_eq!(t.total, Cell::Count(56));
        assert_not_recoverable(&t);
    }

    #[test]
    fn one_small_cell_in_a_row_takes_a_second_cell_with_it() {
        let counts = vec![vec![3, 40, 25], vec![50, 60, 70], vec![45, 55, 65]];
        let t = suppress_table(&counts);
        // Row 0: 3 is hidden, so the smallest other cell (25) is hidden too.
        assert_eq!(
            t.cells[0],
            vec![Cell::Suppressed, Cell::Count(40), Cell::Suppressed]
        );
        assert_eq!(t.row_totals[0], Cell::Count(68));
        // Columns 0 and 2 now have one hidden cell each, so each takes its smallest other.
        assert_eq!(t.cells[2][0], Cell::Suppressed);
        assert_eq!(t.cells[2][2], Cell::Suppressed);
        assert_eq!(
            t.cells[1],
            vec![Cell::Count(50), Cell::Count(60), Cell::Count(70)]
        );
        assert_not_recoverable(&t);
        assert_true_where_shown(&counts, &t);
    }

    #[test]
    fn zero_is_hidden_and_a_single_cell_row_hides_its_total() {
        let counts = vec![vec![0], vec![30], vec![40]];
        let t = suppress_table(&counts);
        assert_eq!(t.cells[0][0], Cell::Suppressed);
        assert_eq!(t.row_totals[0], Cell::Suppressed);
        assert_not_recoverable(&t);
        assert_true_where_shown(&counts, &t);
    }

    #[test]
    fn small_totals_are_hidden() {
        let t = suppress_table(&[vec![2, 3], vec![1, 2]]);
        assert!(t.row_totals.iter().all(|c| c.is_suppressed()));
        assert!(t.total.is_suppressed());
        assert!(t.cells.iter().flatten().all(|c| c.is_suppressed()));
    }

    #[test]
    fn empty_and_ragged_tables() {
        let t = suppress_table(&[]);
        assert!(t.cells.is_empty() && t.column_totals.is_empty());
        assert!(t.total.is_suppressed());
        let counts = vec![vec![20, 5, 30], vec![40]];
        let t = suppress_table(&counts);
        assert_eq!(t.cells[1].len(), 1);
        assert_not_recoverable(&t);
        assert_true_where_shown(&counts, &t);
    }

    #[test]
    fn no_generated_table_lets_a_hidden_value_be_recovered() {
        // A fixed linear congruential sequence: many shapes, reproducible.
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |bound: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % bound
        };
        for _ in 0..500 {
            let rows = 1 + next(6) as usize;
            let cols = 1 + next(6) as usize;
            let counts: Vec<Vec<u32>> = (0..rows)
                .map(|_| (0..cols).map(|_| next(40) as u32).collect())
                .collect();
            let t = suppress_table(&counts);
            assert_not_recoverable(&t);
            assert_true_where_shown(&counts, &t);
        }
    }
}
