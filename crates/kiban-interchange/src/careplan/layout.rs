//! Column lists of every V4 line kind. The first columns of 第1表 and 利用者補足情報 and all of
//! 第2表 are the public V4 layout (Vol.1156 p.22–23); the rest is kiban's equivalent of the paper
//! forms (老企第29号 様式), documented column by column in `docs/interface/careplan-v4.md`.

/// The value of column 1 (CSVバージョン) that kiban writes and requires.
pub const CSV_VERSION: &str = "4.1";

/// The columns of one line kind: fixed names, then optionally 31 day columns.
#[derive(Debug)]
pub struct Layout {
    pub fixed: &'static [&'static str],
    /// "予定" / "実績": 31 columns "予定1日" … "予定31日" after the fixed ones.
    pub days: Option<&'static str>,
}

impl Layout {
    pub fn len(&self) -> usize {
        self.fixed.len() + if self.days.is_some() { 31 } else { 0 }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The Japanese name of column `i` (0-based).
    pub fn name(&self, i: usize) -> String {
        match (self.fixed.get(i), self.days) {
            (Some(n), _) => (*n).to_string(),
            (None, Some(prefix)) if i < self.len() => {
                format!("{prefix}{}日", i - self.fixed.len() + 1)
            }
            _ => format!("{}列目", i + 1),
        }
    }
}

/// 第1表 (UP1KYO): 14 public columns, then the form's fields.
pub static PLAN1: Layout = Layout {
    fixed: &[
        "CSVバージョン",
        "保険者番号",
        "被保険者番号",
        "作成年月日",
        "利用者郵便番号",
        "利用者住所1",
        "利用者住所2",
        "居宅サービス計画作成者氏名",
        "介護支援事業者名",
        "介護支援事業者郵便番号",
        "住所1",
        "住所2",
        "介護支援事業者コード",
        "居宅サービス計画作成(変更)日",
        "初回・紹介・継続",
        "認定済・申請中",
        "初回居宅サービス計画作成日",
        "認定日",
        "認定の有効期間(開始)",
        "認定の有効期間(終了)",
        "要介護状態区分",
        "利用者及び家族の生活に対する意向を踏まえた課題分析の結果",
        "介護認定審査会の意見及びサービスの種類の指定",
        "総合的な援助の方針",
        "生活援助中心型の算定理由",
        "生活援助中心型の算定理由(その他)",
    ],
    days: None,
};

/// 第2表 (UP2KYO): exactly the 22 public columns.
pub static PLAN2: Layout = Layout {
    fixed: &[
        "CSVバージョン",
        "保険者番号",
        "被保険者番号",
        "居宅計画書作成年月日",
        "居宅サービス計画作成(変更)日",
        "課題NO",
        "課題",
        "援助目標NO",
        "長期目標",
        "短期目標",
        "長期期間",
        "短期期間",
        "援助内容NO",
        "サービス内容",
        "保険対象区分",
        "サービス種別",
        "サービス事業者コード",
        "サービス事業所名",
        "頻度",
        "実施期間",
        "更新業者コード",
        "識別子",
    ],
    days: None,
};

/// 利用者補足情報 (UPHOSOKU): 14 public columns, then 2 of kiban's.
pub static SUPPLEMENT: Layout = Layout {
    fixed: &[
        "CSVバージョン",
        "保険者番号",
        "被保険者番号",
        "計画作成(変更)日",
        "フリガナ",
        "氏名",
        "性別",
        "生年月日",
        "郵便番号",
        "住所1",
        "住所2",
        "電話番号",
        "認定日",
        "限度額適用開始年月日",
        "限度額適用終了年月日",
        "要介護状態区分",
    ],
    days: None,
};

/// レコード種別 (column 2 of UPPLAN).
pub const USE_HEADER: &str = "1";
pub const USE_ROW: &str = "2";
pub const USE_LIMIT: &str = "3";

/// UPPLAN レコード種別 1: the 第6表 header of one person and month.
pub static USE_HEADER_LAYOUT: Layout = Layout {
    fixed: &[
        "CSVバージョン",
        "レコード種別",
        "保険者番号",
        "被保険者番号",
        "対象年月",
        "作成年月日",
        "居宅介護支援事業者コード",
        "要介護状態区分",
        "変更後要介護状態区分",
        "変更日",
        "区分支給限度基準額",
        "限度額適用期間(開始)",
        "限度額適用期間(終了)",
        "前月までの短期入所利用日数",
    ],
    days: None,
};

/// UPPLAN レコード種別 2: one 第6表 line.
pub static USE_ROW_LAYOUT: Layout = Layout {
    fixed: &[
        "CSVバージョン",
        "レコード種別",
        "保険者番号",
        "被保険者番号",
        "対象年月",
        "提供時間帯(開始)",
        "提供時間帯(終了)",
        "サービス内容",
        "サービスコード",
        "サービス事業者コード",
        "サービス事業所名",
    ],
    days: Some("予定"),
};

/// UPPLAN レコード種別 3: one 第7表 line.
pub static USE_LIMIT_LAYOUT: Layout = Layout {
    fixed: &[
        "CSVバージョン",
        "レコード種別",
        "保険者番号",
        "被保険者番号",
        "対象年月",
        "サービス事業者コード",
        "サービス事業所名",
        "サービス内容",
        "サービスコード",
        "単位数",
        "割引後率(%)",
        "割引後単位数",
        "回数",
        "サービス単位/金額",
        "種類支給限度基準を超える単位数",
        "種類支給限度基準内単位数",
        "区分支給限度基準を超える単位数",
        "区分支給限度基準内単位数",
        "単位数単価",
        "費用総額(保険対象分)",
        "給付率(%)",
        "保険給付額",
        "利用者負担(保険対象分)",
        "利用者負担(全額負担分)",
    ],
    days: None,
};

/// The first columns of any UPPLAN line, used to report a line whose レコード種別 is unknown.
pub static USE_ANY_LAYOUT: Layout = Layout {
    fixed: &[
        "CSVバージョン",
        "レコード種別",
        "保険者番号",
        "被保険者番号",
        "対象年月",
    ],
    days: None,
};

/// 実績 (UPJSK): one service line of one person.
pub static RESULTS: Layout = Layout {
    fixed: &[
        "CSVバージョン",
        "保険者番号",
        "被保険者番号",
        "対象年月",
        "サービス事業者コード",
        "提供時間帯(開始)",
        "提供時間帯(終了)",
        "サービス内容",
        "サービスコード",
    ],
    days: Some("実績"),
};

/// 第1表_削除 (UP1KYODEL).
pub static PLAN_DELETION: Layout = Layout {
    fixed: &[
        "CSVバージョン",
        "保険者番号",
        "被保険者番号",
        "居宅サービス計画作成(変更)日",
    ],
    days: None,
};

/// 第6表_削除 (UPPLANDEL) and 実績_削除 (UPJSKDEL).
pub static MONTH_DELETION: Layout = Layout {
    fixed: &["CSVバージョン", "保険者番号", "被保険者番号", "対象年月"],
    days: None,
};
