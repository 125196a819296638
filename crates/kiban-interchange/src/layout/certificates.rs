//! 負担割合証 and 減免減額認定証 layouts.

use super::{check_order, col, date_or_empty, Column, Fields, COMMON, SHORT};
use kiban_domain::codes::{CopayRate, CostLimitStage};
use kiban_domain::records::{CopayCertificate, DailyLimits, Reduction, ReductionCertificate};

pub const COPAY_COLUMNS: [Column; 9] = [
    COMMON[0],
    COMMON[1],
    COMMON[2],
    COMMON[3],
    COMMON[4],
    col("負担割合", "copay_rate", SHORT),
    col("適用期間開始年月日", "valid_from", SHORT),
    col("適用期間終了年月日", "valid_to", SHORT),
    col("交付年月日", "issued_on", SHORT),
];

pub fn parse_copay(f: &mut Fields) -> Option<CopayCertificate> {
    let rate = f.required(5, "CODE_UNKNOWN", CopayRate::from_code);
    let valid_from = f.date(6);
    let valid_to = f.date(7);
    let issued_on = f.date(8);
    check_order(f, 7, valid_from, valid_to);
    if let (Some(from), Some(to)) = (valid_from, valid_to) {
        // The card runs Aug 1 – Jul 31; a version may start late (new entrant) but never spans
        // two such years.
        let year_start = if from.month() >= 8 {
            from.year()
        } else {
            from.year() - 1
        };
        let last = kiban_domain::Date::new(year_start + 1, 7, 31).expect("Jul 31 exists");
        if to > last {
            f.fail(
                7,
                "PERIOD_TOO_LONG",
                format!("負担割合証の適用期間は7月31日（{last}）までです: {to}"),
                format!("a copay certificate ends by Jul 31 ({last}): {to}"),
            );
        }
    }
    Some(CopayCertificate {
        rate: rate?,
        valid_from: valid_from?,
        valid_to: valid_to?,
        issued_on: issued_on?,
    })
}

pub fn format_copay(c: &CopayCertificate, out: &mut Vec<String>) {
    out.push(c.rate.code().to_string());
    out.push(c.valid_from.yyyymmdd());
    out.push(c.valid_to.yyyymmdd());
    out.push(c.issued_on.yyyymmdd());
}

pub const REDUCTION_COLUMNS: [Column; 18] = [
    COMMON[0],
    COMMON[1],
    COMMON[2],
    COMMON[3],
    COMMON[4],
    col("減免減額種別", "reduction_kind", SHORT),
    col("負担限度額段階", "cost_limit_stage", SHORT),
    col("食費負担限度額", "food_limit_yen", SHORT),
    col("居住費ユニット型個室", "unit_private_yen", SHORT),
    col("居住費ユニット型個室的多床室", "unit_shared_yen", SHORT),
    col("居住費従来型個室", "conventional_private_yen", SHORT),
    col(
        "居住費従来型個室特養等",
        "conventional_private_welfare_yen",
        SHORT,
    ),
    col("居住費多床室", "multi_bed_yen", SHORT),
    col("給付率", "benefit_rate_percent", SHORT),
    col("軽減率", "reduction_rate_percent", SHORT),
    col("適用期間開始年月日", "valid_from", SHORT),
    col("適用期間終了年月日", "valid_to", SHORT),
    col("交付年月日", "issued_on", SHORT),
];

fn percent(f: &mut Fields, i: usize, range: std::ops::RangeInclusive<u8>) -> Option<u8> {
    let c = f.columns[i];
    f.required(i, "NUMBER_INVALID", |s| match s.parse::<u8>() {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => Err(format!(
            "{}は{}〜{}の整数です: {s:?} / {} must be a whole number {}–{}: {s:?}",
            c.ja,
            range.start(),
            range.end(),
            c.en,
            range.start(),
            range.end()
        )),
    })
}

pub fn parse_reduction(f: &mut Fields) -> Option<ReductionCertificate> {
    let reduction = match f.raw(5) {
        "1" => {
            let stage = f.required(6, "CODE_UNKNOWN", CostLimitStage::from_code);
            let amounts: Vec<Option<u32>> = (7..=12).map(|i| f.amount(i)).collect();
            let [food, up, us, cp, cpw, mb] = amounts[..] else {
                unreachable!("six amounts")
            };
            Some(Reduction::CostLimit {
                stage: stage?,
                limits: DailyLimits {
                    food: food?,
                    unit_private: up?,
                    unit_shared: us?,
                    conventional_private: cp?,
                    conventional_private_welfare: cpw?,
                    multi_bed: mb?,
                },
            })
        }
        "2" => percent(f, 13, 90..=100).map(|p| Reduction::CopayReduction {
            benefit_rate_percent: p,
        }),
        "3" => percent(f, 14, 1..=100).map(|p| Reduction::SocialWelfareReduction {
            reduction_rate_percent: p,
        }),
        other => {
            let other = other.to_string();
            f.fail(
                5,
                "CODE_UNKNOWN",
                format!("減免減額種別は1/2/3です: {other:?}"),
                format!("reduction kind must be 1, 2 or 3: {other:?}"),
            );
            None
        }
    };
    let valid_from = f.date(15);
    let valid_to = f.date(16);
    let issued_on = f.date(17);
    check_order(f, 16, valid_from, valid_to);
    Some(ReductionCertificate {
        reduction: reduction?,
        valid_from: valid_from?,
        valid_to: valid_to?,
        issued_on: issued_on?,
    })
}

pub fn format_reduction(c: &ReductionCertificate, out: &mut Vec<String>) {
    let blank = || String::new();
    match &c.reduction {
        Reduction::CostLimit { stage, limits } => {
            out.push("1".into());
            out.push(stage.code().into());
            for v in [
                limits.food,
                limits.unit_private,
                limits.unit_shared,
                limits.conventional_private,
                limits.conventional_private_welfare,
                limits.multi_bed,
            ] {
                out.push(v.to_string());
            }
            out.extend([blank(), blank()]);
        }
        Reduction::CopayReduction {
            benefit_rate_percent,
        } => {
            out.push("2".into());
            out.extend(std::iter::repeat_with(blank).take(7));
            out.push(benefit_rate_percent.to_string());
            out.push(blank());
        }
        Reduction::SocialWelfareReduction {
            reduction_rate_percent,
        } => {
            out.push("3".into());
            out.extend(std::iter::repeat_with(blank).take(8));
            out.push(reduction_rate_percent.to_string());
        }
    }
    out.push(c.valid_from.yyyymmdd());
    out.push(c.valid_to.yyyymmdd());
    out.push(date_or_empty(Some(c.issued_on)));
}
