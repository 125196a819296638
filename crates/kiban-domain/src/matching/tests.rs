use super::*;

fn d(s: &str) -> Date {
    Date::parse_yyyymmdd(s).unwrap()
}

fn no(n: u64) -> InsuredNumber {
    InsuredNumber::from_u64(n).unwrap()
}

const ADDRESS: &str = "東京都千代田区千代田１丁目１番１号";

fn candidate(n: u64, name: &'static str, sex: Sex, address: &'static str) -> Candidate<'static> {
    Candidate {
        insured: no(n),
        name,
        birth_date: d("19450310"),
        sex,
        address,
    }
}

fn query(name: &str, sex: Sex, address: &str) -> MatchQuery {
    MatchQuery::BasicFour(BasicFour {
        name: name.into(),
        birth_date: d("19450310"),
        sex,
        address: address.into(),
    })
}

/// A small registry: everyone born on the same day, so only the other items decide.
fn registry() -> Vec<Candidate<'static>> {
    vec![
        candidate(1, "山田　太郎", Sex::Male, ADDRESS),
        candidate(2, "髙橋　花子", Sex::Female, "千代田区九段北一丁目２番地３"),
        candidate(3, "山田　花子", Sex::Female, ADDRESS),
        candidate(
            4,
            "渡邉　一郎",
            Sex::Male,
            "千代田区霞ヶ関二丁目１－２　コーポさくら１０１号室",
        ),
        candidate(5, "ｽﾐｽ ｼﾞｮﾝ", Sex::Male, "千代田区丸の内123番地の4"),
    ]
}

#[test]
fn names_fold_width_spaces_and_variants() {
    for (raw, want) in [
        ("山田　太郎", "山田太郎"),
        (" 山田\t太郎 ", "山田太郎"),
        ("髙橋", "高橋"),
        ("山﨑", "山崎"),
        ("渡邊", "渡辺"),
        ("渡邉", "渡辺"),
        ("澤田", "沢田"),
        ("齋藤", "斎藤"),
        ("齊藤", "斉藤"),
        ("濵田", "浜田"),
        ("ｽﾐｽ ｼﾞｮﾝ", "スミスジョン"),
        ("ﾊﾟｰｸ", "パーク"),
        ("カ\u{3099}ク", "ガク"),
        ("ＳＭＩＴＨ　Ｊｏｈｎ", "SMITHJOHN"),
        ("はる", "はる"),
    ] {
        assert_eq!(fold_name(raw), want, "{raw:?}");
    }
    assert_ne!(
        fold_name("はる"),
        fold_name("ハル"),
        "kana scripts stay apart"
    );
    assert_ne!(fold_name("斉藤"), fold_name("斎藤"), "different surnames");
}

#[test]
fn addresses_fold_to_one_notation() {
    for (raw, want) in [
        (ADDRESS, "千代田区千代田1-1-1"),
        ("千代田区千代田1-1-1", "千代田区千代田1-1-1"),
        ("千代田区千代田一丁目１番地１", "千代田区千代田1-1-1"),
        ("千代田区千代田１－１－１", "千代田区千代田1-1-1"),
        ("千代田区千代田1ー1ー1", "千代田区千代田1-1-1"),
        ("千代田区千代田1‐1―1", "千代田区千代田1-1-1"),
        ("千代田区千代田1丁目1-1", "千代田区千代田1-1-1"),
        ("千代田区千代田 1 1 1", "千代田区千代田1-1-1"),
        ("港区二十三丁目4番", "港区23-4"),
        ("港区十二丁目", "港区12"),
        ("港区三一丁目5", "港区三1-5"),
        ("千代田区丸の内123番地の4", "千代田区丸の内123-4"),
        ("千代田区丸の内１２３の４", "千代田区丸の内123-4"),
        (
            "霞ヶ関2-1-2 コーポさくら101号室",
            "霞ケ関2-1-2コーポさくら101号室",
        ),
        (
            "霞ケ関二丁目1番2号　ｺｰﾎﾟさくら１０１号室",
            "霞ケ関2-1-2コーポさくら101号室",
        ),
        ("1-2-3 101", "1-2-3-101"),
        ("千代田区一番町", "千代田区一番町"),
        ("北海道札幌市中央区北1条西2丁目", "札幌市中央区北1条西2"),
    ] {
        assert_eq!(fold_address(raw), want, "{raw:?}");
    }
    assert_ne!(fold_address("1-11"), fold_address("11-1"));
    assert_ne!(fold_address("1-2-3 101"), fold_address("1-2-3101"));
}

#[test]
fn basic_four_outcomes() {
    use MatchOutcome::*;
    let partial = |fields: &[&'static str]| Partial {
        fields_matched: fields.to_vec(),
    };
    let cases: Vec<(&str, MatchQuery, MatchOutcome)> = vec![
        ("exact", query("山田　太郎", Sex::Male, ADDRESS), Unique(0)),
        (
            "spaces, ASCII digits, 1-1-1",
            query("山田 太郎", Sex::Male, "千代田区千代田1-1-1"),
            Unique(0),
        ),
        (
            "no space, full-width hyphens",
            query("山田太郎", Sex::Male, "東京都千代田区千代田１－１－１"),
            Unique(0),
        ),
        (
            "異体字 and kanji 丁目",
            query("高橋花子", Sex::Female, "千代田区九段北1-2-3"),
            Unique(1),
        ),
        (
            "building with half-width kana",
            query(
                "渡辺 一郎",
                Sex::Male,
                "千代田区霞ケ関2丁目1番2号 ｺｰﾎﾟさくら101号室",
            ),
            Unique(3),
        ),
        (
            "half-width kana name, 番地の",
            query("スミス　ジョン", Sex::Male, "千代田区丸の内123-4"),
            Unique(4),
        ),
        (
            "wrong address",
            query("山田太郎", Sex::Male, "千代田区千代田1-1-2"),
            partial(&["name", "birth_date", "sex"]),
        ),
        (
            "wrong name",
            query("山田次郎", Sex::Male, ADDRESS),
            partial(&["birth_date", "sex", "address"]),
        ),
        (
            "wrong sex and address: nobody close",
            query("山田太郎", Sex::Female, "千代田区千代田9-9-9"),
            NotFound {
                reason: NotFoundReason::BasicFour,
            },
        ),
        (
            "nothing but birth date and sex",
            query("佐藤一", Sex::Male, "港区1-1"),
            NotFound {
                reason: NotFoundReason::BasicFour,
            },
        ),
        (
            "blank name and address never match",
            query("　", Sex::Male, " "),
            NotFound {
                reason: NotFoundReason::BasicFour,
            },
        ),
    ];
    let people = registry();
    for (what, q, want) in cases {
        assert_eq!(match_person(&q, &people), want, "{what}");
    }
}

#[test]
fn wrong_sex_with_the_right_name_and_address_is_not_a_partial_match() {
    // 山田花子 (female) lives at ADDRESS: a male query with her name finds nobody born that day
    // with that sex and her name; the address matches the male 山田太郎, so it is partial on him.
    let q = query("山田花子", Sex::Male, ADDRESS);
    assert_eq!(
        match_person(&q, &registry()),
        MatchOutcome::Partial {
            fields_matched: vec!["birth_date", "sex", "address"]
        }
    );
    let only_her = vec![candidate(3, "山田　花子", Sex::Female, ADDRESS)];
    assert_eq!(
        match_person(&q, &only_her),
        MatchOutcome::NotFound {
            reason: NotFoundReason::BasicFour
        }
    );
}

#[test]
fn two_identical_people_are_ambiguous() {
    let mut people = registry();
    people.push(candidate(9, "山田 太郎", Sex::Male, "千代田区千代田1-1-1"));
    let q = query("山田太郎", Sex::Male, ADDRESS);
    let outcome = match_person(&q, &people);
    assert_eq!(outcome, MatchOutcome::Ambiguous { count: 2 });
    assert_eq!(outcome.code(), "MATCH_AMBIGUOUS");
    // The same person listed twice is still one person.
    let twice = vec![people[0], people[0]];
    assert_eq!(match_person(&q, &twice), MatchOutcome::Unique(0));
}

#[test]
fn name_on_one_person_and_address_on_another_names_neither() {
    let people = vec![
        candidate(1, "山田太郎", Sex::Male, "港区1-1"),
        candidate(2, "鈴木次郎", Sex::Male, ADDRESS),
    ];
    let outcome = match_person(&query("山田太郎", Sex::Male, ADDRESS), &people);
    assert_eq!(
        outcome,
        MatchOutcome::Partial {
            fields_matched: vec!["birth_date", "sex"]
        }
    );
    assert_eq!(outcome.fields_to_check(), vec!["name", "address"]);
}

#[test]
fn number_and_birth_date() {
    let people = registry();
    let by_number = |n: u64, birth: &str| MatchQuery::NumberAndBirth {
        insured: no(n),
        birth_date: d(birth),
    };
    assert_eq!(
        match_person(&by_number(3, "19450310"), &people),
        MatchOutcome::Unique(2)
    );
    let not_found = MatchOutcome::NotFound {
        reason: NotFoundReason::NumberAndBirth,
    };
    for (what, q) in [
        ("birth date differs", by_number(3, "19450311")),
        ("number unknown", by_number(8, "19450310")),
    ] {
        assert_eq!(match_person(&q, &people), not_found, "{what}");
    }
    assert_eq!(match_person(&by_number(3, "19450310"), &[]), not_found);
}

#[test]
fn messages_are_bilingual_and_name_the_items() {
    let partial = MatchOutcome::Partial {
        fields_matched: vec!["name", "birth_date", "sex"],
    };
    assert_eq!(partial.code(), "MATCH_PARTIAL");
    let m = partial.message();
    assert!(m.contains("住所が一致しません"), "{m}");
    assert!(m.contains("一致した項目: 氏名・生年月日・性別"), "{m}");
    assert!(m.contains(" / the address does not match"), "{m}");
    assert!(m.contains("matched: name, birth date, sex"), "{m}");
    let ambiguous = MatchOutcome::Ambiguous { count: 2 }.message();
    assert!(
        ambiguous.contains("2名") && ambiguous.contains("2 insured persons"),
        "{ambiguous}"
    );
    for outcome in [
        MatchOutcome::Unique(0),
        MatchOutcome::NotFound {
            reason: NotFoundReason::BasicFour,
        },
        MatchOutcome::NotFound {
            reason: NotFoundReason::NumberAndBirth,
        },
    ] {
        let m = outcome.message();
        assert!(m.contains(" / ") && !m.starts_with(" /"), "{m}");
    }
}
