//! The business refusals the use cases give besides the access policy's reasons
//! (`kiban_domain::access::Reason`): one table of code and messages, from which the API's error
//! table and its OpenAPI enum are built. A refusal may carry a more specific message (the
//! workflow's own explanation); the code is always one of these. A test reads this crate's
//! sources and fails on a refusal code missing here, so the document cannot miss one again.

/// (code, 日本語, English) of every refusal a use case answers with `Outcome::Denied`.
pub const REFUSALS: &[(&str, &str, &str)] = &[
    (
        "CONSENT_NOT_FOUND",
        "指定された同意はありません",
        "no such consent",
    ),
    (
        "APPLICATION_NOT_FOUND",
        "指定された申請はありません",
        "no such application",
    ),
    (
        "PLAN_NOT_FOUND",
        "指定された計画はありません",
        "no such plan",
    ),
    (
        "MATCH_NOT_FOUND",
        "一致する被保険者はいません",
        "no insured person matches",
    ),
    (
        "MATCH_AMBIGUOUS",
        "複数の被保険者が一致するため特定できません",
        "several insured persons match, so none is identified",
    ),
    (
        "MATCH_PARTIAL",
        "一部の項目が一致しません。本人に確認してください",
        "some items do not match; check them with the person",
    ),
    (
        "MUNICIPAL_ONLY",
        "保険者の職員だけが利用できます",
        "only municipal staff may use this",
    ),
    (
        "SERVICE_NOT_COVERED",
        "このサービス種類は特定事業所集中減算の対象ではありません",
        "the service kind is not covered by the concentration reduction",
    ),
    (
        "DOCUMENT_NOT_FOR_OFFICE_KIND",
        "この事業所の種別では登録できない書類です",
        "this kind of office cannot send this document",
    ),
    (
        "SENDER_MISMATCH",
        "書類の事業所がログイン中の事業所と違います",
        "the document's office is not the office logged in",
    ),
    (
        "ONLY_THE_PERSON_ANSWERS",
        "計画への同意・意見は本人だけが登録できます",
        "only the person answers a plan sent for confirmation",
    ),
    (
        "NOT_AWAITING_ANSWER",
        "この計画は回答を受け付けていません",
        "the plan is not waiting for an answer",
    ),
    (
        "COMMENT_LENGTH",
        "意見の長さが不正です",
        "the comment is empty or too long",
    ),
    (
        "ILLEGAL_TRANSITION",
        "申請の状態ではこの手続はできません",
        "the application's state does not allow this step",
    ),
    (
        "INVALID_EXTENSION",
        "処理延期の内容が不正です",
        "the extension is invalid",
    ),
    (
        "APPLICATION_CLOSED",
        "終結した申請です",
        "the application is closed",
    ),
    (
        "PERSON_NOT_INSURED",
        "申請日に有効な被保険者証がありません",
        "the person holds no insured card in force on the day of application",
    ),
    (
        "INVALID_SURVEY",
        "認定調査票が不正です",
        "the survey is invalid",
    ),
    (
        "SURVEY_MISSING",
        "認定調査票がまだ登録されていません",
        "the survey has not been recorded yet",
    ),
    (
        "OPINION_SIGNATURE_REJECTED",
        "主治医意見書の署名を検証できません",
        "the opinion's signature does not verify",
    ),
    (
        "OPINION_INSTITUTION_MISMATCH",
        "主治医意見書の医療機関が依頼先と違います",
        "the opinion comes from another institution than the one asked",
    ),
    (
        "INVALID_OPINION",
        "主治医意見書が不正です",
        "the opinion is invalid",
    ),
    (
        "INVALID_PRIMARY_JUDGMENT",
        "一次判定の結果が不正です",
        "the primary judgment is invalid",
    ),
    (
        "INVALID_COMMITTEE_RESULT",
        "審査会の結果が不正です",
        "the committee's result is invalid",
    ),
];

/// Whether `code` is in [`REFUSALS`].
pub fn is_known(code: &str) -> bool {
    REFUSALS.iter().any(|r| r.0 == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The codes the sources hand to a refusal: `reason: "X"`, `refused("X"`, `refusal("X"`
    /// (the argument possibly on the next line). The care-plan registration's report entries
    /// (`register/checks.rs`, `v4.rs`'s `report.refuse`) are lines of a report, not refusals.
    fn codes_in(text: &str) -> Vec<String> {
        let mut found = Vec::new();
        for marker in ["reason: \"", "refused(", "refusal("] {
            for (at, _) in text.match_indices(marker) {
                let rest = text[at + marker.len()..].trim_start();
                let rest = rest.strip_prefix('"').unwrap_or(rest);
                let code: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_uppercase() || *c == '_')
                    .collect();
                if code.len() > 3 && rest[code.len()..].starts_with('"') {
                    found.push(code);
                }
            }
        }
        found
    }

    fn walk(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs")
                && !path.ends_with("register/checks.rs")
                && !path.ends_with("refusal.rs")
            {
                for code in codes_in(&std::fs::read_to_string(&path).unwrap()) {
                    out.push((path.display().to_string(), code));
                }
            }
        }
    }

    #[test]
    fn every_refusal_code_of_the_sources_is_in_the_table() {
        let mut found = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut found,
        );
        assert!(
            found.iter().any(|(_, c)| c == "PLAN_NOT_FOUND"),
            "the scan finds the refusals: {found:?}"
        );
        let missing: Vec<_> = found.iter().filter(|(_, c)| !is_known(c)).collect();
        assert!(missing.is_empty(), "not in REFUSALS: {missing:?}");
    }

    #[test]
    fn codes_are_unique() {
        let mut codes: Vec<_> = REFUSALS.iter().map(|r| r.0).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), REFUSALS.len());
    }
}
