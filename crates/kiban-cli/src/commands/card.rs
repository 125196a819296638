//! `kiban card issue | sign`: the My Number card stand-in for synthetic people. `issue` plays
//! the municipality (makes the card and links it to the 被保険者 through
//! `kiban_app::cards::link_card`: a 資格情報 write the access policy decides, under `--purpose`,
//! and the audit log records, with `--operator` as the actor); `sign` plays the card reader.
//! The development card root lives in `<data-dir>/keys/card-root/`.

use anyhow::{bail, Context};
use kiban_app::cards::LinkOutcome;
use kiban_crypto::time::OffsetDateTime;
use kiban_crypto::{CardAuthority, CardFile, Pin, Validity};
use kiban_domain::access::PersonRef;
use kiban_domain::ids::InsuredNumber;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Make a card file for a 被保険者 in the registry and link it to them.
    Issue {
        /// 被保険者番号 (10 digits).
        insured: String,
        /// The card's 4-digit PIN.
        #[arg(long, env = "KIBAN_CARD_PIN", hide_env_values = true)]
        pin: String,
        /// 保険者番号 of the municipality that links the card.
        #[arg(long, default_value = "131011")]
        insurer: String,
        /// Validity of the card certificate in days.
        #[arg(long, default_value_t = 3650)]
        days: u32,
        /// Card file (default <data-dir>/cards/<被保険者番号>.card.json).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Overwrite an existing card file.
        #[arg(long)]
        force: bool,
        /// The municipality links the card: a 資格情報 write, allowed for 資格管理.
        #[command(flatten)]
        acting: super::Acting,
    },
    /// Sign a message with a card (plays the card reader); prints the signature as JSON.
    Sign {
        /// Card file.
        #[arg(long)]
        card: PathBuf,
        /// The card's 4-digit PIN.
        #[arg(long, env = "KIBAN_CARD_PIN", hide_env_values = true)]
        pin: String,
        /// The message to sign, in hex (for a login: the challenge's message).
        #[arg(long)]
        message: String,
    },
}

/// `<data-dir>/keys/card-root`.
pub fn card_root_dir(data_dir: &Path) -> PathBuf {
    kiban_app::keys::keys_dir(data_dir).join("card-root")
}

pub fn run(database: &str, data_dir: &Path, command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Issue {
            insured,
            pin,
            insurer,
            days,
            out,
            force,
            acting,
        } => issue(
            database, data_dir, &insured, &pin, &insurer, days, out, force, &acting,
        ),
        Command::Sign { card, pin, message } => sign(&card, &pin, &message),
    }
}

/// Loads the development card root, creating it on first use.
fn load_or_create_root(data_dir: &Path) -> anyhow::Result<CardAuthority> {
    let dir = card_root_dir(data_dir);
    if dir.join(kiban_crypto::card::ROOT_CERT_FILE).exists() {
        return CardAuthority::load(&dir).with_context(|| {
            format!(
                "カードのルートを読み込めません / cannot load the card root from {}",
                dir.display()
            )
        });
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let root =
        CardAuthority::init_development("kiban development card root", OffsetDateTime::now_utc())
            .context("カードのルートを作成できません / cannot create the card root")?;
    root.save(&dir)
        .with_context(|| format!("writing the card root to {}", dir.display()))?;
    println!(
        "開発用カードルートを作成しました / created the development card root: {}",
        dir.display()
    );
    Ok(root)
}

#[allow(clippy::too_many_arguments)]
fn issue(
    database: &str,
    data_dir: &Path,
    insured: &str,
    pin: &str,
    insurer: &str,
    days: u32,
    out: Option<PathBuf>,
    force: bool,
    acting: &super::Acting,
) -> anyhow::Result<ExitCode> {
    let insured = InsuredNumber::parse(insured).map_err(|e| anyhow::anyhow!("{e}"))?;
    let insurer = super::parse_insurer(insurer)?;
    let pin = Pin::parse(pin)?;
    if days == 0 {
        bail!("有効日数は1日以上です / --days must be at least 1");
    }
    let path = out.unwrap_or_else(|| data_dir.join("cards").join(format!("{insured}.card.json")));
    if path.exists() && !force {
        bail!(
            "カードファイル {} は既にあります（上書きするには --force） / card file {} already exists (use --force to overwrite)",
            path.display(),
            path.display()
        );
    }

    let mut conn = super::open_conn(database)?;
    let root = load_or_create_root(data_dir)?;
    let now = OffsetDateTime::now_utc();
    let issued = root
        .issue_card(insured, &pin, Validity::days_from(now, days))
        .context("カードを発行できません / cannot issue the card")?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    issued.card.save(&path).with_context(|| {
        format!(
            "カードファイルを書き込めません / cannot write {}",
            path.display()
        )
    })?;

    // A card that is not linked cannot log in anyone: whatever stops the link, the file goes.
    let fingerprint = issued.link.fingerprint.to_string();
    let person = PersonRef { insurer, insured };
    let at = kiban_domain::access::Timestamp::from_millis(now_ms(now));
    let caller = acting.caller(insurer);
    let linked = kiban_app::cards::link_card(&mut conn, &caller, person, &fingerprint, at);
    if !matches!(linked, Ok(LinkOutcome::Linked)) {
        let _ = std::fs::remove_file(&path);
    }
    match linked.context("カードを紐付けできません / cannot link the card")? {
        LinkOutcome::Linked => {}
        LinkOutcome::Denied(d) => {
            eprintln!(
                "カードの紐付けは拒否されました / the card link was refused: {} {} / {}",
                d.reason, d.message_ja, d.message_en
            );
            return Ok(ExitCode::from(3));
        }
        LinkOutcome::NotRegistered => bail!(
            "被保険者が登録されていません: 保険者番号 {insurer}, 被保険者番号 {insured} / no insured person {insured} of insurer {insurer} in the registry (import the municipality's 被保険者証 file first)"
        ),
        LinkOutcome::AlreadyLinked => bail!(
            "カードを紐付けできません: このカードは既に紐付けられています / cannot link the card: it is linked already"
        ),
    }

    println!(
        "カードを発行し紐付けました / card issued and linked: 保険者番号 {insurer}, 被保険者番号 {insured}"
    );
    println!("カードファイル / card file: {} (0600)", path.display());
    println!("シリアル / serial: {}", issued.link.serial);
    println!("フィンガープリント / fingerprint: {fingerprint}");
    Ok(ExitCode::SUCCESS)
}

fn sign(card: &Path, pin: &str, message: &str) -> anyhow::Result<ExitCode> {
    let pin = Pin::parse(pin)?;
    let message = decode_hex(message)?;
    CardFile::load(card).with_context(|| {
        format!(
            "カードファイルを読み込めません / cannot load the card file {}",
            card.display()
        )
    })?;
    // The reader keeps the card's PIN retry counter in the file (docs/card-stand-in.md).
    let signature = CardFile::sign_file(card, &pin, &message)?;
    println!("{}", serde_json::to_string_pretty(&signature)?);
    Ok(ExitCode::SUCCESS)
}

fn decode_hex(text: &str) -> anyhow::Result<Vec<u8>> {
    let text = text.trim();
    let invalid = || anyhow::anyhow!("メッセージは16進数です / --message must be hex: {text:?}");
    text.as_bytes()
        .chunks(2)
        .map(|pair| match pair {
            [hi, lo] => Some(hex_digit(*hi)? << 4 | hex_digit(*lo)?),
            _ => None,
        })
        .collect::<Option<Vec<u8>>>()
        .ok_or_else(invalid)
}

fn hex_digit(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

fn now_ms(now: OffsetDateTime) -> i64 {
    i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    #[test]
    fn hex_messages_decode_strictly() {
        assert_eq!(super::decode_hex("00ff10").unwrap(), vec![0, 255, 16]);
        assert_eq!(super::decode_hex("").unwrap(), Vec::<u8>::new());
        assert!(super::decode_hex("abc").is_err());
        assert!(super::decode_hex("zz").is_err());
        assert!(super::decode_hex("+1").is_err());
    }
}
