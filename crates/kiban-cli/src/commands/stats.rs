//! `kiban stats`

use kiban_app::access::Outcome;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// 保険者番号; every insurer when omitted.
    #[arg(long)]
    insurer: Option<String>,
    /// Reference date (YYYYMMDD or 和暦); today when omitted.
    #[arg(long)]
    as_of: Option<String>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    acting: super::Acting,
}

pub fn run(database: &str, args: Args) -> anyhow::Result<ExitCode> {
    let as_of = match &args.as_of {
        Some(raw) => super::parse_date(raw)?,
        None => super::today(),
    };
    let mut conn = super::open_conn(database)?;
    let insurers = match &args.insurer {
        Some(raw) => vec![super::parse_insurer(raw)?],
        None => kiban_app::stats::insurers(&mut conn)?,
    };
    let mut refused = false;
    for insurer in insurers {
        // One aggregate decision and one audit event per insurer; only counts are printed.
        let caller = args.acting.caller(insurer);
        let now = super::now();
        match kiban_app::stats::stats(&mut conn, &caller, insurer, as_of, now)? {
            Outcome::Allowed(stats) if args.json => {
                println!("{}", serde_json::to_string_pretty(&stats)?)
            }
            Outcome::Allowed(stats) => print_table(&stats),
            Outcome::Denied(d) => {
                eprintln!(
                    "{insurer}: {} {} / {}",
                    d.reason, d.message_ja, d.message_en
                );
                refused = true;
            }
        }
    }
    Ok(if refused {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    })
}

pub fn print_table(s: &kiban_app::stats::Stats) {
    println!(
        "保険者 {}（{} 現在）/ insurer {} as of {}",
        s.insurer, s.as_of, s.insurer, s.as_of
    );
    println!(
        "  被保険者（有効な被保険者証）/ insured persons: {}",
        s.insured_persons
    );
    println!("  認定率 / certified: {:.1}%", s.certified_percent);
    for (label, n) in &s.by_care_level {
        println!("    {label}: {n}");
    }
    for (label, n) in &s.by_copay_rate {
        println!("  負担割合 {label}: {n}");
    }
    println!("  減免減額認定 / reductions: {}", s.reductions);
    for (kind, n) in &s.versions_by_kind {
        println!("  {kind} 履歴 / versions: {n}");
    }
    println!(
        "  取消 / withdrawals: {}  取込 / imports: {}",
        s.withdrawals, s.imports
    );
}

#[cfg(test)]
mod tests {
    use clap::Parser;
    use kiban_domain::access::Purpose;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: super::Args,
    }

    #[test]
    fn stats_take_the_acting_flags() {
        let args = Cli::try_parse_from(["kiban", "--purpose", "review", "--operator", "sato"])
            .unwrap()
            .args;
        assert_eq!(args.acting.purpose, Purpose::Review);
        assert_eq!(args.acting.operator, "sato");
        let args = Cli::try_parse_from(["kiban", "--json"]).unwrap().args;
        assert_eq!(args.acting.purpose, Purpose::QualificationAdmin);
        assert!(Cli::try_parse_from(["kiban", "--purpose", "x"]).is_err());
    }
}
